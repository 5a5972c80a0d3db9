"""Per-request access to the cached data: one snapshot per request, parameters parsed once.

Also the derived values several views share (site GeoJSON for the maps, reach of one
kecamatan, members' last reports), each computed by the domain (:mod:`geo_klaster.results.hasil`,
:mod:`geo_klaster.members.reports`) and kept once per data version through the cache.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request
from geo_klaster.web import params, ready
from geo_klaster.web.cache import DataCache, Parameter, Snapshot

from geo_klaster import maps as peta
from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.members import reports
from geo_klaster.results import hasil
from geo_klaster.results.export import public_frame

if TYPE_CHECKING:
    import pandas as pd  # annotations only: views pass frames on, they do not compute with them

    from geo_klaster.results.banding import Banding


def cache() -> DataCache:
    return current_app.extensions["geo_klaster"]


def snapshot() -> Snapshot:
    """This request's snapshot (the same for every call during one request)."""
    if "klaster_snapshot" not in g:
        g.klaster_snapshot = cache().snapshot()
    return g.klaster_snapshot


def today() -> dt.date:
    """The analysis day: ``TODAY``, else today (UTC); an answer built on today's date is
    kept ready only until midnight UTC (:func:`geo_klaster.web.ready.until`)."""
    value = current_app.config["TODAY"]
    day = params.tanggal(value)
    if value is None:
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
        ready.until(midnight.timestamp())
    return day


def parameter() -> Parameter:
    """The analysis parameters of this request (400 on a bad value)."""
    cfg = current_app.config
    return params.analisis(
        request.args,
        snapshot(),
        skenario=cfg["SKENARIO"],
        jarak_km=float(cfg["JARAK_KM"]),
        hari=int(cfg["HARI"]),
        tanggal=today(),
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
        raise params.TidakDitemukan(_("kecamatan '%(kode)s' tidak ada", kode=kode), "kode")
    return rows.iloc[0]


def jangkauan(p: Parameter, kode: str) -> pd.DataFrame:
    """``lokasi_id, jarak_m`` of the sites within reach of kecamatan ``kode``, nearest first
    (:func:`geo_klaster.results.hasil.reach_of_kecamatan`, once per data version)."""
    result = analysis(p)
    kecamatan_row(result, kode)  # 404 for an unknown kode
    return cache().memo(
        snapshot(), ("jangkauan", p, kode), lambda: hasil.reach_of_kecamatan(result, kode)
    )


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
        fc = peta.lokasi_geojson(result, layer("anggota"), jarak=jarak, nama_barang=nama_barang())
        if p.jangkauan == "jalan":  # travel time on roads, fastest first
            waktu = dict(zip(j["lokasi_id"], j["waktu_menit"]))
            for f in fc["features"]:
                w = float(waktu[f["properties"]["id"]])
                f["properties"]["waktu_menit"] = round(w, 1) if math.isfinite(w) else None

            def order(f: dict[str, Any]) -> tuple[bool, float]:
                w = f["properties"]["waktu_menit"]
                return (w is None, w or 0.0)

            fc["features"].sort(key=order)
        return fc

    return cache().memo(snapshot(), ("jangkauan_fc", p, kode), build)


def laporan_anggota(p: Parameter, *, kontak: bool = False) -> pd.DataFrame:
    """Members with sector, site count, last report and staleness; stale first
    (:func:`geo_klaster.members.reports.member_reports`); ``kontak`` adds the personal contacts."""
    snap = snapshot()
    result = analysis(p)
    return cache().memo(
        snap,
        ("anggota", p, kontak),
        lambda: reports.member_reports(
            snap.layers["anggota"],
            snap.layers["lokasi"],
            snap.layers["stok"],
            today=p.tanggal,
            period_days=result.config.periode_laporan_hari,
            contacts=kontak,
        ),
    )


def kategori_barang() -> dict[str, str]:
    """Item categories (``logistik``, ``peralatan``) by code, from the catalogue."""
    barang = layer("barang")
    return dict(zip(barang["kode"].astype(str), barang["kategori"].astype(str)))


def banding_parameters() -> list[Parameter]:
    """``?skenario=A&skenario=B[...]`` with the shared ``jarak_km``, ``hari``, ``per``:
    one analysis parameter set per scenario (400 naming the known scenarios when one is
    unknown, or when fewer than two distinct are given)."""
    from geo_klaster.errors import KlasterError
    from geo_klaster.results.banding import check_names

    snap = snapshot()
    try:
        names = check_names(request.args.getlist("skenario"), snap.layers["zona_banjir"])
    except KlasterError as exc:
        g.pesan_ranah = True  # the domain's bilingual message, shown as it is
        raise params.ParameterError(exc.message, "skenario") from None
    base = request.args.to_dict()
    out = []
    for name in names:
        base["skenario"] = name
        cfg = current_app.config
        out.append(
            params.analisis(
                base,
                snap,
                skenario=name,
                jarak_km=float(cfg["JARAK_KM"]),
                hari=int(cfg["HARI"]),
                tanggal=today(),
            )
        )
    return out


def banding(ps: list[Parameter]) -> Banding:
    """The comparison of the scenarios of ``ps`` (the first is A), once per data version."""
    from geo_klaster.results.banding import compare_scenarios

    snap = snapshot()
    results = [analysis(p) for p in ps]
    return cache().memo(
        snap,
        ("banding", tuple(ps)),
        lambda: compare_scenarios(results, snap.layers["zona_banjir"]),
    )


def kejadian_terbaru() -> dict[str, Any] | None:
    """The latest observed event and the plan scenarios (:func:`geo_klaster.results.banding.latest_event`)."""
    from geo_klaster.results.banding import latest_event

    snap = snapshot()
    return cache().memo(
        snap, ("kejadian_terbaru",), lambda: latest_event(snap.layers["zona_banjir"])
    )
