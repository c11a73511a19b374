"""Benchmarks: they print figures and write bench/results.json; they never fail on timing."""
