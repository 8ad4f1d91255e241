"""The rules R01–R16, one module each: pure functions from plain inputs to findings (domain.md)."""
