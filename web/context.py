"""Per-request access to the cached data: one snapshot per request, parameters parsed once.

Also the derived values several views share (site GeoJSON for the maps, reach of one
kecamatan, members' last reports), each built once per data version through the cache.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import current_app, g, request

from geo_klaster import maps as peta
from geo_klaster.analysis import AnalysisResult
from geo_klaster.export import public_frame
from geo_klaster.reach import reach
from geo_klaster.stock import last_report
from web import params
from web.cache import DataCache, Parameter, Snapshot


def cache() -> DataCache:
    return current_app.extensions["geo_klaster"]


def snapshot() -> Snapshot:
    """This request's snapshot (the same for every call during one request)."""
    if "klaster_snapshot" not in g:
        g.klaster_snapshot = cache().snapshot()
    return g.klaster_snapshot


def parameter() -> Parameter:
    """The analysis parameters of this request (400 on a bad value)."""
    cfg = current_app.config
    return params.analisis(
        request.args,
        snapshot(),
        skenario=cfg["SKENARIO"],
        jarak_km=float(cfg["JARAK_KM"]),
        hari=int(cfg["HARI"]),
        tanggal=params.tanggal(cfg["TODAY"]),
    )


def analysis(p: Parameter | None = None) -> AnalysisResult:
    """The (cached) analysis for this request's parameters."""
    return cache().analysis(snapshot(), p or parameter())


def layer(name: str) -> pd.DataFrame:
    """A store layer without personal fields (the web app shows no personal data)."""
    snap = snapshot()
    return cache().memo(snap, ("publik", name), lambda: public_frame(snap.layers[name], name))


def kecamatan_row(result: AnalysisResult, kode: str) -> Any:
    kec = result.kecamatan
    rows = kec[kec["kode"] == kode]
    if rows.empty:
        raise params.TidakDitemukan(f"kecamatan '{kode}' tidak ada", "kode")
    return rows.iloc[0]


def jangkauan(p: Parameter, kode: str) -> pd.DataFrame:
    """``lokasi_id, jarak_m`` of the sites within reach of kecamatan ``kode``, nearest first.

    At-risk kecamatan take the analysis' own reach table; for the others (the analysis
    computes reach only where it is needed) :func:`geo_klaster.reach.reach` is run for that
    one kecamatan in its own metric CRS (``result.crs_untuk(kode)``), once per data version.
    """
    result = analysis(p)
    row = kecamatan_row(result, kode)

    def build() -> pd.DataFrame:
        if bool(row["berisiko"]):
            j = result.jangkauan[result.jangkauan["kode"] == kode]
        else:
            kec = result.kecamatan[result.kecamatan["kode"] == kode][["kode", "geometry"]]
            sites = result.lokasi[["lokasi_id", "geometry"]]
            crs = result.crs_untuk(kode)  # the kecamatan's own UTM zone (multi-zone data)
            j = reach(kec.to_crs(crs), sites.to_crs(crs), jarak_m=result.config.jarak_km * 1000.0)
        return j[["lokasi_id", "jarak_m"]].sort_values("jarak_m").reset_index(drop=True)

    return cache().memo(snapshot(), ("jangkauan", p, kode), build)


def lokasi_fc(p: Parameter, *, dengan_stok: bool = True) -> dict[str, Any]:
    """Every site for the maps (see :func:`geo_klaster.maps.lokasi_geojson`)."""
    result = analysis(p)
    return cache().memo(
        snapshot(),
        ("lokasi_fc", p, dengan_stok),
        lambda: peta.lokasi_geojson(
            result, layer("anggota"), dengan_stok=dengan_stok, nama_barang=nama_barang()
        ),
    )


def stok_lokasi(p: Parameter) -> dict[str, list[list[Any]]]:
    """Committable stock per site (see :func:`geo_klaster.maps.stok_per_lokasi`)."""
    result = analysis(p)
    return cache().memo(
        snapshot(), ("stok_lokasi", p), lambda: peta.stok_per_lokasi(result, nama_barang())
    )


def nama_barang() -> dict[str, str]:
    """Item names by code, from the catalogue."""
    barang = layer("barang")
    return dict(zip(barang["kode"].astype(str), barang["nama"].astype(str)))


def jangkauan_fc(p: Parameter, kode: str) -> dict[str, Any]:
    """The sites within reach of ``kode`` for maps and the API, nearest first, with stock."""
    result = analysis(p)

    def build() -> dict[str, Any]:
        j = jangkauan(p, kode)
        jarak = dict(zip(j["lokasi_id"], j["jarak_m"]))
        return peta.lokasi_geojson(result, layer("anggota"), jarak=jarak, nama_barang=nama_barang())

    return cache().memo(snapshot(), ("jangkauan_fc", p, kode), build)


def laporan_anggota(p: Parameter) -> pd.DataFrame:
    """Members with sector, site count, last report and staleness; stale first."""
    snap = snapshot()

    def build() -> pd.DataFrame:
        result = analysis(p)
        anggota = layer("anggota")
        lokasi = snap.layers["lokasi"]
        rep = last_report(
            snap.layers["stok"],
            lokasi,
            anggota,
            today=p.tanggal,
            periode_hari=result.config.periode_laporan_hari,
        ).set_index("anggota_id")
        out = pd.DataFrame(
            {
                "id": anggota["id"].astype(str),
                "nama": anggota["nama"].astype(str),
                "sektor": anggota["sektor"].astype(str),
            }
        )
        out["lokasi"] = out["id"].map(lokasi.groupby("anggota_id").size()).fillna(0).astype(int)
        out["laporan_terakhir"] = out["id"].map(rep["laporan_terakhir"])
        out["usang"] = out["id"].map(rep["usang"]).fillna(True).astype(bool)
        urutan = {k: i for i, k in enumerate(peta.SEKTOR)}
        out["_u"] = out["sektor"].map(urutan).fillna(len(urutan))
        out = out.sort_values(
            ["usang", "laporan_terakhir", "_u", "nama"],
            ascending=[False, True, True, True],
            na_position="first",
        )
        return out.drop(columns="_u").reset_index(drop=True)

    return cache().memo(snap, ("anggota", p), build)
