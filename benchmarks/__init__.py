"""Benchmarks of the commands, and the generator of the large workspaces they and the tests run on."""
