"""Maintainer commands, run by make: the benchmark and the HTML build."""
