"""Filings from a case (``wb.filings``)."""
