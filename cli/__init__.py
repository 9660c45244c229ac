"""`framecast`, the command line: render, props, token, dev, smoke; and the demos (`make demo`,
`make demo-lambda`). The outermost room: may import every other one but `stacks/`."""
