run ../../../examples/two_labs.deal -s stress --paths 200 -f csv
