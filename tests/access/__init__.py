"""Reading a release: the HTTP server and the downloader."""
