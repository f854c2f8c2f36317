"""One run end to end: collect, parse in parallel, validate, publish."""
