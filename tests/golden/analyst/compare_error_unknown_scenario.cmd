compare ../../../examples/two_labs.deal base stres -f table
