"""Writing the demo regency (built by :func:`geo_klaster.demo.build.build_demo`) into a store.

The demo goes through the same validation as any import, and is written in one transaction
that replaces every layer. A store that holds data not made by ``demo`` is only overwritten
with ``replace_real_data=True`` (``--ganti``), so that a slip of the keyboard cannot wipe a
regency's real inventory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from pyproj import CRS

from geo_klaster import schema as schema_mod
from geo_klaster.actor import cli_actor, now_utc
from geo_klaster.barang import barang_bulat
from geo_klaster.errors import StoreError
from geo_klaster.inputs.importer import layers_in_order
from geo_klaster.inputs.io import Source, read_source
from geo_klaster.inputs.validate import Context, validate
from geo_klaster.store import Store
from geo_klaster.store.base import AuditEntry

DEMO_META = "demo"


# Layers the demo always marks ``contoh``: a row there without the mark was written by
# someone (a report, a site added on the map) and must not be wiped by a rebuild.
_MARKED = ("anggota", "lokasi", "stok", "zona_banjir")


def _has_real_data(store: Store) -> bool:
    if not store.exists():
        return False
    if store.get_meta(DEMO_META) != "1":
        return any(store.count(name) for name in schema_mod.layer_names())
    return any(not bool(store.read(name)["contoh"].all()) for name in _MARKED)


def read_official_kecamatan(
    path: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    source_layer: str | None = None,
    crs: CRS | None = None,
) -> pd.DataFrame:
    """Official kecamatan boundaries, validated like an import (``kode``, ``nama``)."""
    sch = schema_mod.get("kecamatan")
    src = read_source(path, sch, source_layer=source_layer, crs=crs, mapping=mapping)
    return validate(src, sch, Context(), mode="replace").frame


def build_demo_store(
    store: Store,
    *,
    today: dt.date | None = None,
    kecamatan_file: str | Path | None = None,
    mapping: dict[str, str] | None = None,
    source_layer: str | None = None,
    replace_real_data: bool = False,
) -> dict[str, int]:
    """Build the demo regency into ``store``; returns rows written per layer."""
    from geo_klaster.demo.build import build_demo

    if _has_real_data(store) and not replace_real_data:
        raise StoreError(
            f"{store.location} berisi data yang bukan demo / holds data not made by `demo`; "
            "pakai --store lain, atau --ganti untuk menimpanya"
        )
    official = None
    if kecamatan_file is not None:
        official = read_official_kecamatan(
            kecamatan_file, mapping=mapping, source_layer=source_layer
        )
    frames = build_demo(today, kecamatan=official)
    names = layers_in_order([n for n in frames if n in schema_mod.schemas()])
    context = Context(keys={}, units={})
    checked: dict[str, pd.DataFrame] = {}
    for name in names:
        sch = schema_mod.get(name)
        frame = frames[name]
        has_geom = sch.has_geometry
        src = Source(
            Path(f"layers/demo/{name}"),
            frame,
            "baris",
            1,
            CRS.from_epsg(4326) if has_geom else None,
            has_geom,
        )
        result = validate(src, sch, context, mode="replace")
        checked[name] = result.frame
        if sch.key:
            context.keys[name] = set(result.frame[sch.key].astype(str))  # type: ignore[index]
        if name == "barang":
            context.units = dict(zip(result.frame["kode"], result.frame["satuan"], strict=True))
            context.bulat = frozenset(barang_bulat(result.frame))
    with store.transaction() as tx:
        for name in reversed(schema_mod.layer_names()):
            tx.delete(name)
        for name in names:
            tx.append(name, checked[name])
        tx.set_meta(DEMO_META, "1")
        tx.set_meta("demo_dibangun", (today or dt.date.today()).isoformat())
        actor = cli_actor()
        tx.audit(
            AuditEntry(
                now_utc(), actor.nama, actor.saluran, "demo", None, sum(len(f) for f in checked.values()),
                {"kecamatan": str(kecamatan_file) if kecamatan_file else "perkiraan"},
            )
        )  # fmt: skip
    return {name: len(checked[name]) for name in schema_mod.layer_names() if name in checked}


def grow_sites(store: Store, total: int, *, seed: int = 7) -> None:
    """Grow a demo store to ``total`` sites, for load trials (tests and benchmarks).

    The new sites are random points inside the union of the kecamatan, each copying the
    member, kind and stock lines of a random existing site; they are named ``Gudang uji N
    (contoh)`` and marked ``contoh``. Written directly in one transaction (no validation, no
    audit: the copied lines were validated once). Nothing happens when the store already holds
    ``total`` sites or more.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    lokasi, stok, kec = store.read("lokasi"), store.read("stok"), store.read("kecamatan")
    n = total - len(lokasi)
    if n <= 0:
        return
    rng = np.random.default_rng(seed)
    area = shapely.union_all(kec.geometry.to_numpy())
    minx, miny, maxx, maxy = area.bounds
    pts: list[shapely.Point] = []
    while len(pts) < n:
        cand = shapely.points(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n))
        pts.extend(cand[shapely.contains(area, cand)][: n - len(pts)])
    template = lokasi.iloc[rng.integers(0, len(lokasi), n)].reset_index(drop=True)
    ids = [f"LOK-X{i:05d}" for i in range(n)]
    sites = gpd.GeoDataFrame(
        {
            "id": ids,
            "anggota_id": template["anggota_id"].to_numpy(),
            "nama": [f"Gudang uji {i} (contoh)" for i in range(n)],
            "jenis": template["jenis"].to_numpy(),
            "contoh": True,
        },
        geometry=pts,
        crs=4326,
    )
    by_site = dict(iter(stok.groupby("lokasi_id")))
    lines = [
        by_site[old].assign(lokasi_id=new)
        for new, old in zip(ids, template["id"], strict=True)
        if old in by_site
    ]
    with store.transaction() as tx:
        tx.append("lokasi", sites)
        tx.append("stok", pd.concat(lines, ignore_index=True))
