"""Benchmarks: how well and how fast the bot understands. They report; they never fail the build."""
