"""Pure spatial analyses: arrays, csr matrices and GeoDataFrames in, new objects out.

Nothing in this package imports Django, reads settings or touches files or the
network (STYLE.md §4.2 rule 3).
"""
