"""Deterministic, realistic Flemish demo data."""
