"""The workbooks, each a pure function from plain rows (dataclasses) to .xlsx bytes (openpyxl,
write-only mode so that a city-wide sheet streams rather than sits in memory)."""
