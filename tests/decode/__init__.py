"""Bytes to text: charsets, HTML rendering and the article container."""
