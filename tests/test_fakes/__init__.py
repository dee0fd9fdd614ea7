"""Tests of the fake platform servers in tests/fakes."""
