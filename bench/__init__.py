"""Benchmarks: each prints its figures and the peer or limit it is compared with."""
