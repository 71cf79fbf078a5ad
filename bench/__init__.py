"""Benchmarks and load scripts (run by hand or `make bench`, never by the test suite)."""
