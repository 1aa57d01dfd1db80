"""Exports: ``tabular`` turns rows into CSV or XLSX (pure, shared by every export); the other
modules build the rows of each export."""
