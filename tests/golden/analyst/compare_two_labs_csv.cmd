compare ../../../examples/two_labs.deal base --set demand_growth=20%/y -f csv
