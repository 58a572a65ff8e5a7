sensitivity ../../../examples/two_labs.deal -s base --bump 2000% -f table
