sensitivity ../../../examples/two_labs.deal -s stress --threshold Lab -f table
