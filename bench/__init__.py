"""Benchmarks; each writes its numbers into bench/results.json under its own key."""
