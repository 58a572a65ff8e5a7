graph ../../../examples/cascade.deal --scenario stall
