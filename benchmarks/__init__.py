"""Benchmarks: scripts with their own command (`make bench`), never timed assertions in tests."""
