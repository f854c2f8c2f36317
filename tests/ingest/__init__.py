"""Sources and ingestors: local files, HTTP pages, WordPress, feeds, plugins, fetching."""
