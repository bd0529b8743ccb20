"""Helpers shared by the tests, the deploy tests and the benchmarks (bench/ imports them too)."""
