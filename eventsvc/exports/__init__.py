"""Rows to CSV and XLSX files, with formula neutralisation: the one place exports are written."""
