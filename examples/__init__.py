"""Examples a place's team can run: `make demo` is `python -m examples.demo`."""
