"""Exports: text tables, CSV/XLSX, slide decks. Everything here reads privacy-checked results."""
