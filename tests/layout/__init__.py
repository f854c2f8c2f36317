"""Text to blocks: sections, comment threads and their templates."""
