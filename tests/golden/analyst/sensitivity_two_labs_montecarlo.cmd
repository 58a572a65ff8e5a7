sensitivity ../../../examples/two_labs.deal -s stress --paths 2000 --metric default:Lab,equity:Cloud -f table
