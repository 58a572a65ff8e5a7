sensitivity ../../../examples/two_labs.deal -s base --metric equity:Lab,defaults --threshold Lab -f table
