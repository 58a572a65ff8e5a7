run ../../../examples/two_labs.deal --scenario stress --paths 500 --format table
