"""Blocks to records: positions, mentions, lexicons."""
