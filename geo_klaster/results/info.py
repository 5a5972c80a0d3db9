"""``geo-klaster info``: what a store holds."""

from __future__ import annotations

import pandas as pd

from geo_klaster import schema as schema_mod
from geo_klaster.store import Store


def store_info(store: Store) -> str:
    """A short, readable summary: layers, counts, extents, scenarios, last report date."""
    lines = [f"Penyimpanan / store: {store.location} (versi data {store.version()})"]
    if store.get_meta("demo") == "1":
        built = store.get_meta("demo_dibangun") or "?"
        lines.append(
            f"  DATA DEMO (contoh, dibangun {built}): anggota, stok dan penduduk fiktif; "
            "skenario banjir = skenario latihan"
        )
    lines.append("")
    lines.append(f"  {'lapisan':<12} {'jumlah':>7}  extent (bujur/lintang)")
    for sch in schema_mod.schemas().values():
        n = store.count(sch.name)
        ext = store.extent(sch.name) if n else None
        ext_text = (
            f"{ext[0]:.4f},{ext[1]:.4f} .. {ext[2]:.4f},{ext[3]:.4f}"
            if ext
            else ("-" if not sch.has_geometry else "")
        )
        lines.append(f"  {sch.name:<12} {n:>7}  {ext_text}")
    kec = store.read("kecamatan")
    if len(kec):
        approx = kec["keterangan"].fillna("").str.contains("perkiraan").sum()
        if approx:
            lines.append(f"\n  {approx} kecamatan dengan geometri perkiraan (bukan batas resmi)")
        missing = int(kec["penduduk"].isna().sum())
        if missing:
            lines.append(f"  {missing} kecamatan tanpa data penduduk (pengungsi: tidak diketahui)")
    zones = store.read("zona_banjir")
    lines.append("\n  Skenario banjir / flood scenarios:")
    if zones.empty:
        lines.append("    (belum ada)")
    for name, group in zones.groupby("skenario", sort=True):
        classes = ", ".join(
            f"{k} {v}" for k, v in group["kelas"].value_counts().sort_index().items()
        )
        tag = " [skenario latihan]" if bool(group["contoh"].any()) else ""
        kind = _kind(group)
        lines.append(f"    {name}: {len(group)} zona ({classes}), {kind}{tag}")
    stok = store.read("stok")
    if len(stok):
        last = pd.Timestamp(stok["dilaporkan"].max())
        first = pd.Timestamp(stok["dilaporkan"].min())
        lines.append(
            f"\n  Laporan stok / stock reports: {len(stok)} baris, "
            f"{stok['lokasi_id'].nunique()} lokasi, {stok['barang'].nunique()} barang; "
            f"pertama {first:%Y-%m-%d}, terakhir {last:%Y-%m-%d %H:%M} UTC"
        )
    return "\n".join(lines)


def _kind(zones: pd.DataFrame) -> str:
    """``rencana``, or ``kejadian`` with its latest time in WIB."""
    from geo_klaster.results.banding import waktu_wib

    jenis = zones["jenis"].dropna()
    if not len(jenis) or jenis.iloc[0] != "kejadian":
        return "rencana"
    when = waktu_wib(zones["waktu"].max())
    return f"kejadian {when}" if when else "kejadian"
