"""geo_klaster: stocks, flood zones, reach and gaps for a regency's disaster-logistics cluster."""

__version__ = "0.1.0"
