"""The GeoPackage 1.4 format, written directly with sqlite3.

Why not GDAL for writing: every write of the store must be one SQLite transaction (a bad
import, or two members reporting at once, must leave the file exactly as it was or hold both
reports). GDAL commits per layer; sqlite3 lets us put several layers, the data version and
the extents in one ``BEGIN IMMEDIATE ... COMMIT``. Reading back with GDAL (pyogrio, QGIS) is
tested, so the file stays a real GeoPackage.

Geometry blobs follow the GeoPackage binary format: ``GP``, version 0, flags (little endian,
envelope type), srs_id, envelope, then ISO WKB.
"""

from __future__ import annotations

import sqlite3
import struct

import numpy as np
import shapely
from pyproj import CRS

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4.0
WGS84_SRS_ID = 4326

_CORE_DDL = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
"""

SQL_TYPES = {
    "str": "TEXT",
    "int": "INTEGER",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "DATETIME",
}


def init_core(con: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables and the required spatial reference systems."""
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {USER_VERSION}")
    for statement in _CORE_DDL.split(";"):  # not executescript: it would COMMIT
        if statement.strip():
            con.execute(statement)
    rows = [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
        ("WGS 84 geodetic", WGS84_SRS_ID, "EPSG", 4326, CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
         "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
    ]  # fmt: skip
    con.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", rows)


def register_table(
    con: sqlite3.Connection,
    table: str,
    *,
    geometry_type: str | None,
    description: str = "",
    identifier: str | None = None,
) -> None:
    """Add ``table`` to gpkg_contents (and gpkg_geometry_columns for features)."""
    if geometry_type:
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
            " VALUES (?, 'features', ?, ?, ?)",
            (table, identifier or table, description, WGS84_SRS_ID),
        )
        con.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            (table, geometry_type.upper(), WGS84_SRS_ID),
        )
    else:
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description)"
            " VALUES (?, 'attributes', ?, ?)",
            (table, identifier or table, description),
        )


_HEADER_ENV = struct.Struct("<2sBBi4d")
_HEADER_NOENV = struct.Struct("<2sBBi")
_ENV_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def encode(geoms: np.ndarray, srs_id: int = WGS84_SRS_ID) -> list[bytes | None]:
    """Shapely geometries -> GeoPackage geometry blobs (None stays None)."""
    out: list[bytes | None] = []
    wkbs = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    bounds = shapely.bounds(geoms)
    for geom, wkb, (minx, miny, maxx, maxy) in zip(geoms, wkbs, bounds, strict=True):
        if geom is None:
            out.append(None)
        elif shapely.is_empty(geom):
            flags = 0b0001_0001  # empty, little endian, no envelope
            out.append(_HEADER_NOENV.pack(b"GP", 0, flags, srs_id) + wkb)
        elif shapely.get_type_id(geom) == 0:  # Point: no envelope needed
            out.append(_HEADER_NOENV.pack(b"GP", 0, 0b0000_0001, srs_id) + wkb)
        else:
            flags = 0b0000_0011  # envelope [minx, maxx, miny, maxy], little endian
            out.append(_HEADER_ENV.pack(b"GP", 0, flags, srs_id, minx, maxx, miny, maxy) + wkb)
    return out


def decode(blobs: list[bytes | None]) -> np.ndarray:
    """GeoPackage geometry blobs -> array of shapely geometries."""
    wkbs: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        blob = bytes(blob)
        if blob[:2] != b"GP":
            raise ValueError("not a GeoPackage geometry blob")
        flags = blob[3]
        env = _ENV_SIZES[(flags >> 1) & 0b111]
        wkbs.append(blob[8 + env :])
    return shapely.from_wkb(np.array(wkbs, dtype=object))
