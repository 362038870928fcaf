"""A real WordPress for the contract and integration suites (see README.md)."""
