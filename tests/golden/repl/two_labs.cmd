repl ../../../examples/two_labs.deal
