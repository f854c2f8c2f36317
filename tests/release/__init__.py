"""Records to a release: Parquet, JSON Lines, catalog, card, page, storage, crash safety."""
