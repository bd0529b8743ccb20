"""Benchmarks: `make bench` (bench/run.py), bench/profile.py, bench/soak.py. See BENCHMARKS.md."""
