sensitivity ../../../examples/two_labs.deal -s base --metric default:Lba -f table
