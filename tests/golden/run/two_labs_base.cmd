run ../../../examples/two_labs.deal --scenario base --format table
