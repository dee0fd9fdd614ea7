"""Tests of the network guard in tests/network."""
