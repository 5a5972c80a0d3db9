"""Layer schemas and demo data of geo_klaster (shipped inside the wheel)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
SCHEMA_FILE = ROOT / "schema.toml"
DEMO_DIR = ROOT / "demo"
