"""``geo-klaster export DIR``: every layer as RFC 7946 GeoJSON, and the store as a GeoPackage.

Personal data (fields marked ``personal`` in the schema: ``kontak``, ``telepon``) is left out
unless asked for (UU 27/2022). Attribute tables (``stok``, ``barang``) become features with
``"geometry": null``, which RFC 7946 allows.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_klaster import schema as schema_mod
from geo_klaster.errors import StoreError
from geo_klaster.results.geojson import dumps
from geo_klaster.store import GpkgStore, Store

EXPORT_GPKG = "klaster.gpkg"


def public_frame(frame: pd.DataFrame, layer: str, *, personal: bool = False) -> pd.DataFrame:
    """``frame`` without the layer's personal fields (unless ``personal``)."""
    if personal:
        return frame
    drop = [c for c in schema_mod.get(layer).personal_fields if c in frame.columns]
    return frame.drop(columns=drop)


def export_store(
    store: Store, out_dir: Path, *, personal: bool = False, zona: str | None = None
) -> list[Path]:
    """Write ``<layer>.geojson`` for every layer and ``klaster.gpkg``; returns the paths.
    Times in the GeoJSON are ISO 8601 with the offset of ``zona`` (``WIB`` when None)."""
    if not store.exists():
        raise StoreError(f"penyimpanan belum ada / store does not exist: {store.location}")
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = store.read_all()
    written: list[Path] = []
    for name, frame in frames.items():
        sch = schema_mod.get(name)
        public = public_frame(frame, name, personal=personal)
        if not sch.has_geometry:
            public = gpd.GeoDataFrame(
                public, geometry=gpd.GeoSeries([None] * len(public), index=public.index), crs=4326
            )
        target = out_dir / f"{name}.geojson"
        _atomic_write(target, dumps(public, zona=zona))
        written.append(target)

    target = out_dir / EXPORT_GPKG
    fd, tmp_name = tempfile.mkstemp(prefix=".klaster-", suffix=".gpkg", dir=out_dir)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = GpkgStore(tmp_name)
    try:
        tmp.init()
        with tmp.transaction() as tx:
            for name, frame in frames.items():
                cleaned = frame.copy()
                if not personal:
                    for col in schema_mod.get(name).personal_fields:
                        cleaned[col] = None
                tx.append(name, cleaned)
        os.replace(tmp_name, target)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    written.append(target)
    return written


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
