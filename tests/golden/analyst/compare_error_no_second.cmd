compare ../../../examples/two_labs.deal base -f table
