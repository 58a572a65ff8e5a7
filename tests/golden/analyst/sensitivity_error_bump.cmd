sensitivity ../../../examples/two_labs.deal -s base --bump ten -f table
