run ../../../examples/cascade.deal --scenario stall --format table
