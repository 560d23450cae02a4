"""Benchmarks and the readiness validation (`make bench`, `make validate`)."""
