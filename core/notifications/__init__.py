"""Telling people what happened: per-person choices, immediate mail and daily digests."""
