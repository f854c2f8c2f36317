"""The benchmark of broadsheet (issue 8): a corpus generator (`bench.corpus`) and the runner (`bench.run`)."""
