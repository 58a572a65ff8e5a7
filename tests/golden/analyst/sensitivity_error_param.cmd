sensitivity ../../../examples/two_labs.deal -s base --params demand_grwth -f table
