"""The API: layers and analysis results as RFC 7946 GeoJSON, CSV and GeoPackage.

Routes
------
``/api/layers/<layer>.geojson?bbox=minlon,minlat,maxlon,maxlat``
    A store layer without personal fields; feature ``id`` = the layer's key. Attribute tables
    (``stok``, ``barang``) come as features with ``"geometry": null`` (RFC 7946 allows it);
    ``bbox`` on them is a 400, since they have no geometry to filter.
``/api/analisis/kecamatan.geojson``, ``/api/analisis/alokasi.geojson``,
``/api/analisis/lokasi.geojson``, ``/api/analisis/gap.csv``
    Results of the analysis chosen by ``skenario``, ``jarak_km``, ``hari``.
``/api/analisis/lokasi/<id>/stok.json``
    One site's committable stock (the maps' popups fetch it for large layers).
``/api/banding.csv?skenario=A&skenario=B&tabel=gap``
    A table of the comparison of two or more scenarios (:mod:`geo_klaster.results.banding`);
    ``tabel`` one of ringkasan, barang, kecamatan, gap (default), lokasi, alokasi.
``/api/kecamatan/<kode>/jangkauan.geojson``
    The sites within reach of one kecamatan, nearest first, with ``jarak_m``.
``/api/export.gpkg``
    Every store layer (personal fields emptied) and the analysis results (the catalogue's
    ``hasil_*`` tables, :mod:`geo_klaster.results.hasil`) in one GeoPackage that opens styled in QGIS.

GeoJSON bodies are serialised once per data version and parameters, and served as bytes.
Errors: ``{"error": ..., "parameter": ...}`` with 400 (bad parameter) or 404 (unknown layer
or kecamatan).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
from flask import Blueprint, Response, jsonify, request
from geo_klaster.web import context, params, ready
from geo_klaster.web.cache import Parameter
from shapely.geometry import box

from geo_klaster import schema as schema_mod
from geo_klaster.results import geojson, hasil
from geo_klaster.results.banding import TABEL
from geo_klaster.results.export import EXPORT_GPKG, export_store
from geo_klaster.results.outputs import csv_bytes, write_result_layers

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_AGE_S = 60  # clients may reuse a body this long; new data change the ETag


Tagged = tuple[bytes, str]  # a body and its ETag


def _tagged(body: bytes) -> Tagged:
    """``body`` with its ETag: the data version, the length and a digest that every server
    process computes alike (``hash()`` of bytes is salted per process: two workers gave one
    body two ETags, and a revalidation answered by the other one missed)."""
    digest = hashlib.blake2b(body, digest_size=4).hexdigest()
    return body, f"v{context.snapshot().version}-{len(body)}-{digest}"


def _body(key: tuple[Any, ...], build: Callable[[], bytes]) -> Tagged:
    """The bytes ``build`` makes, with their ETag, once per data version (under ``key``)."""
    return context.cache().memo(context.snapshot(), key, lambda: _tagged(build()))


def _respond(body: Tagged, mimetype: str, *, filename: str | None = None) -> Response:
    ready.keep(context.snapshot().version)  # the same bytes for the same anonymous request
    resp = Response(body[0], mimetype=mimetype)
    resp.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    resp.set_etag(body[1])
    if filename:
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp.make_conditional(request)


def _geojson(body: Tagged) -> Response:
    return _respond(body, geojson.MEDIA_TYPE)


def _layer_frame(name: str) -> gpd.GeoDataFrame:
    """A public layer as a GeoDataFrame (attribute tables get null geometries)."""
    snap = context.snapshot()

    def build() -> gpd.GeoDataFrame:
        frame = context.layer(name)
        if isinstance(frame, gpd.GeoDataFrame):
            return frame
        nulls = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=4326)
        return gpd.GeoDataFrame(frame, geometry=nulls, crs=4326)

    return context.cache().memo(snap, ("frame", name), build)


@bp.get("/layers/<layer>.geojson")
def layer_geojson(layer: str) -> Response:
    if layer not in schema_mod.layer_names():
        raise params.TidakDitemukan(
            f"lapisan '{layer}' tidak ada; pilihan: {', '.join(schema_mod.layer_names())}",
            "layer",
        )
    sch = schema_mod.get(layer)
    bounds = params.bbox(request.args.get("bbox"))
    frame = _layer_frame(layer)
    if bounds is None:
        return _geojson(
            _body(("geojson", "layer", layer), lambda: geojson.dumps(frame, id_field=sch.key))
        )
    if not sch.has_geometry:
        raise params.ParameterError(
            f"lapisan '{layer}' tidak bergeometri; bbox tidak berlaku", "bbox"
        )
    hits = frame.sindex.query(box(*bounds), predicate="intersects")
    return _geojson(_tagged(geojson.dumps(frame.iloc[sorted(hits)], id_field=sch.key)))


@bp.get("/analisis/kecamatan.geojson")
def analisis_kecamatan() -> Response:
    p = context.parameter()
    result = context.analysis(p)
    body = _body(
        ("geojson", "kecamatan", p),
        lambda: geojson.dumps(hasil.table(result, "hasil_kecamatan_risiko"), id_field="kode"),
    )
    return _geojson(body)


@bp.get("/analisis/alokasi.geojson")
def analisis_alokasi() -> Response:
    p = context.parameter()
    result = context.analysis(p)
    body = _body(
        ("geojson", "alokasi", p), lambda: geojson.dumps(hasil.table(result, "hasil_alokasi"))
    )
    return _geojson(body)


@bp.get("/analisis/lokasi.geojson")
def analisis_lokasi() -> Response:
    """Sites with the analysis' flags, as the maps draw them (fetched for large layers).

    Without stock lists, to stay small: a site's stock is at
    ``/api/analisis/lokasi/<id>/stok.json``.
    """
    p = context.parameter()
    body = _body(
        ("geojson", "lokasi", p), lambda: geojson.dumps(context.lokasi_fc(p, dengan_stok=False))
    )
    return _geojson(body)


@bp.get("/analisis/lokasi/<lokasi_id>/stok.json")
def analisis_lokasi_stok(lokasi_id: str) -> Response:
    """One site's committable stock: ``[[barang, siap, satuan], ...]`` (catalogue units)."""
    p = context.parameter()
    result = context.analysis(p)
    if lokasi_id not in set(result.lokasi["lokasi_id"]):
        raise params.TidakDitemukan(f"lokasi '{lokasi_id}' tidak ada", "lokasi_id")
    ready.keep(context.snapshot().version)
    return jsonify(context.stok_lokasi(p).get(lokasi_id, []))


@bp.get("/analisis/gap.csv")
def analisis_gap() -> Response:
    p = context.parameter()
    result = context.analysis(p)

    def build() -> bytes:
        return csv_bytes(hasil.gap_with_names(result))

    body = _body(("csv", "gap", p), build)
    return _respond(body, "text/csv", filename=f"gap_{p.skenario}.csv")


@bp.get("/banding.csv")
def banding_csv() -> Response:
    """A comparison table (``?tabel=``, default ``gap``) of ``?skenario=A&skenario=B[...]``."""
    ps = context.banding_parameters()
    tabel = request.args.get("tabel") or "gap"
    if tabel not in TABEL:
        raise params.ParameterError(
            f"tabel '{tabel}' tidak dikenal; pilihan: {', '.join(TABEL)}", "tabel"
        )
    result = context.banding(ps)

    def build() -> bytes:
        frame = hasil.banding_table(result, TABEL[tabel])
        return csv_bytes(frame.drop(columns="geometry", errors="ignore"))

    body = _body(("csv", "banding", tuple(ps), tabel), build)
    return _respond(body, "text/csv", filename=f"banding_{tabel}.csv")


@bp.get("/kecamatan/<kode>/jangkauan.geojson")
def kecamatan_jangkauan(kode: str) -> Response:
    p = context.parameter()
    result = context.analysis(p)
    context.kecamatan_row(result, kode)  # 404 for an unknown kode
    body = _body(
        ("geojson", "jangkauan", p, kode), lambda: geojson.dumps(context.jangkauan_fc(p, kode))
    )
    return _geojson(body)


def _export_gpkg(p: Parameter) -> bytes:
    """The store's layers (personal fields emptied) and the results, as GeoPackage bytes."""
    result = context.analysis(p)
    store = context.cache().store()
    with tempfile.TemporaryDirectory(prefix="geo-klaster-ekspor-") as tmp:
        out = Path(tmp)
        paths = export_store(store, out, personal=False)
        gpkg = next(path for path in paths if path.name == EXPORT_GPKG)
        write_result_layers(result, gpkg)  # the results catalogue's names and columns
        return gpkg.read_bytes()


@bp.get("/export.gpkg")
def export_gpkg() -> Response:
    p = context.parameter()
    body = _body(("gpkg", p), lambda: _export_gpkg(p))
    return _respond(body, "application/geopackage+sqlite3", filename="klaster.gpkg")
