sensitivity ../../../examples/two_labs.deal -s base --metric equity:Lab,default:Lab -f csv
