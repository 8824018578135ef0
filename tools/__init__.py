"""Maintainer commands, run by make: the benchmark, the HTML build, the data."""
