"""Reading and checking input: files, values, imports, hazard rasters."""
