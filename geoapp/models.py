"""Planning objects computed over the layers (analysis runs, results, blocks, projects)."""
