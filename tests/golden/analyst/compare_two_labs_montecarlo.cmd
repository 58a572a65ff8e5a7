compare ../../../examples/two_labs.deal base stress --paths 2000 -f table
