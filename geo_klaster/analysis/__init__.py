"""The analysis steps (exposure, sites, stock, reach, needs, gaps, allocation) and their pipeline."""
