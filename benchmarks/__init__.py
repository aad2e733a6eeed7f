"""Scale benchmarks: the enterprise dataset, a pandas reference and the runner."""
