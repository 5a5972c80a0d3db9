"""OGC API – Features Part 1 (Core, GeoJSON, OAS30) as plain functions.

Nothing here imports Flask: every resource is a function returning an :data:`Answer`,
``(headers, status, body bytes)``, so the API logic is tested by calling functions and the
blueprint in :mod:`geo_klaster.web.ogc` stays a thin shell (pygeoapi's good part, without its 493-line
function). Features come from a :class:`FeatureTable`: each feature is serialised once per
data version into a compact GeoJSON fragment, and a page is the fragments of its slice
joined into one body.

Collections
-----------
Every store layer (id = layer name) and every analysis result of the current scenario
(the results catalogue :data:`geo_klaster.results.hasil.CATALOGUE`, id ``hasil_*``). Feature ``id``: the layer's key where it declares one
(``kode``, ``kode_desa``, ``id``), else the store's feature id ``fid`` (``zona_banjir``,
``stok``); results use their keys (``kode``, ``lokasi_id``) or ``:``-joined composite keys
(``hasil_gap``: ``32.16.02:beras``). Attribute tables (``stok``, ``barang``, ``hasil_gap``,
...) are features with ``"geometry": null`` and no spatial extent; ``bbox`` is not defined
for them. Personal fields (``kontak``, ``telepon``) never appear: OGC answers are anonymous.

Parameters
----------
``limit`` (1.., default :data:`LIMIT_DEFAULT`; a value above :data:`LIMIT_MAX` is served as
the maximum, as the standard permits), ``offset`` (0..), ``bbox`` (4 or 6 numbers, CRS84,
the height ignored), ``f=json``; results also take ``skenario``, ``jarak_km``, ``hari``.
A query parameter the API definition does not declare for the resource is a 400
(Requirement 8, ``/req/core/query-param-unknown``), as is a bad value (Requirement 9).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import geopandas as gpd
import numpy as np
import shapely
from geo_klaster.web import params

from geo_klaster import schema as schema_mod
from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.results import geojson, hasil

if TYPE_CHECKING:
    import pandas as pd  # annotations only: this module hands frames on, it computes nothing

Answer = tuple[dict[str, str], int, bytes]

LIMIT_DEFAULT = 100
LIMIT_MAX = 10_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
JSON = "application/json"
GEOJSON = geojson.MEDIA_TYPE
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
ANALISIS_PARAMS = ("skenario", "jarak_km", "hari", "jangkauan", "menit")
FORMATS = ("json",)


class OgcError(Exception):
    """An error answered as an OGC exception ``{"code": ..., "description": ...}``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def error_answer(status: int, code: str, description: str) -> Answer:
    body = {"code": code, "description": description}
    return {"Content-Type": JSON}, status, json_bytes(body)


def bad_parameter(description: str) -> OgcError:
    return OgcError(400, "InvalidParameterValue", description)


def not_found(description: str) -> OgcError:
    return OgcError(404, "NotFound", description)


# -- collections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionDef:
    """One collection: where its features come from and how they are identified."""

    id: str
    title: str
    description: str
    has_geometry: bool
    hasil: bool  # an analysis result (takes skenario, jarak_km, hari)
    id_doc: str  # what the feature id is, for the API definition


def _layer_def(name: str) -> CollectionDef:
    sch = schema_mod.get(name)
    return CollectionDef(
        id=name,
        title=sch.title,
        description=sch.description,
        has_geometry=sch.has_geometry,
        hasil=False,
        id_doc=f"nilai kunci `{sch.key}`" if sch.key else "fid penyimpanan (bilangan bulat)",
    )


def _hasil_def(t: hasil.ResultTable) -> CollectionDef:
    """A result of the catalogue (:mod:`geo_klaster.results.hasil`) as a collection."""
    return CollectionDef(
        id=t.name,
        title=t.title,
        description=t.description + hasil.PARAMETER_NOTE,
        has_geometry=t.geometry,
        hasil=True,
        id_doc=" + ':' + ".join(f"`{k}`" for k in t.key),
    )


HASIL: dict[str, CollectionDef] = {name: _hasil_def(t) for name, t in hasil.CATALOGUE.items()}


def collection_defs() -> list[CollectionDef]:
    """Every collection the API offers: the store layers, then the analysis results."""
    return [_layer_def(n) for n in schema_mod.layer_names()] + [*HASIL.values()]


def find_collection(cid: str) -> CollectionDef:
    for c in collection_defs():
        if c.id == cid:
            return c
    raise not_found(f"koleksi '{cid}' tidak ada / unknown collection")


# -- feature tables --------------------------------------------------------------------------

PERSONAL = frozenset(f for s in schema_mod.schemas().values() for f in s.personal_fields)


@dataclass
class FeatureTable:
    """A collection's features, serialised once: GeoJSON fragments, ids, a spatial index."""

    ids: list[str | int]
    fragments: list[bytes]
    geometries: np.ndarray
    extent: list[float] | None
    position: dict[str, int] = field(default_factory=dict)
    tree: shapely.STRtree | None = None

    def __len__(self) -> int:
        return len(self.fragments)

    def select(self, bbox: tuple[float, float, float, float] | None) -> np.ndarray:
        """Positions of the features intersecting ``bbox`` (CRS84), in collection order."""
        if bbox is None:
            return np.arange(len(self))
        if self.tree is None:
            return np.arange(0)
        hits = self.tree.query(shapely.box(*bbox), predicate="intersects")
        return np.sort(hits)


def build_table(frame: pd.DataFrame, ids: Sequence[str | int]) -> FeatureTable:
    """Serialise ``frame`` (a layer or result in WGS84) feature by feature.

    Parameters
    ----------
    frame
        A GeoDataFrame (EPSG:4326), or a DataFrame (attribute table: null geometries).
    ids
        The feature ids, one per row, unique.
    """
    frame = frame.drop(columns=[c for c in frame.columns if c in PERSONAL])
    if not isinstance(frame, gpd.GeoDataFrame):
        nulls = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=4326)
        frame = gpd.GeoDataFrame(frame, geometry=nulls, crs=4326)
    fc = geojson.to_feature_collection(frame)
    fragments = []
    for fid, feat in zip(ids, fc["features"], strict=True):
        out = {"type": "Feature", "id": fid, **feat}
        fragments.append(json_bytes(out))
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    extent = None
    tree = None
    if present.any():
        extent = [round(float(v), 7) for v in shapely.total_bounds(geoms[present])]
        tree = shapely.STRtree(geoms)
    ids = list(ids)
    return FeatureTable(
        ids=ids,
        fragments=fragments,
        geometries=geoms,
        extent=extent,
        position={str(i): n for n, i in enumerate(ids)},
        tree=tree,
    )


def layer_table(name: str, frame: pd.DataFrame) -> FeatureTable:
    """A store layer: ids are the key's values, else the store's fid (the frame's index)."""
    key = schema_mod.get(name).key
    if key is not None and frame[key].notna().all() and frame[key].is_unique:
        ids: list[str | int] = [str(v) for v in frame[key]]
    else:
        ids = [int(v) for v in frame.index]
    return build_table(frame, ids)


def hasil_table(cid: str, result: AnalysisResult) -> FeatureTable:
    """An analysis result: ids joined from its key columns (row numbers if not unique)."""
    frame = hasil.table(result, cid).reset_index(drop=True)
    return build_table(frame, hasil.feature_ids(cid, frame))


# -- request parameters ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemsQuery:
    limit: int
    offset: int
    bbox: tuple[float, float, float, float] | None


def allowed_params(c: CollectionDef | None, *, items: bool = False) -> set[str]:
    """The query parameters the API definition declares for one resource."""
    allowed = {"f"}
    if c is None or c.hasil:
        allowed |= set(ANALISIS_PARAMS)
    if items:
        allowed |= {"limit", "offset"}
        if c is not None and c.has_geometry:
            allowed.add("bbox")
    return allowed


def check_params(args: Mapping[str, str], allowed: set[str]) -> None:
    """400 for a parameter not declared for this resource, or an ``f`` other than json."""
    unknown = sorted(set(args) - allowed)
    if unknown:
        hint = ""
        if "bbox" in unknown and "limit" in allowed:
            hint = " (koleksi tanpa geometri: bbox tidak berlaku)"
        raise bad_parameter(
            f"parameter tidak dikenal / unknown parameter: {', '.join(unknown)}{hint}; "
            f"yang berlaku: {', '.join(sorted(allowed))}"
        )
    f = args.get("f")
    if f is not None and f not in FORMATS:
        raise bad_parameter(f"f='{f}' tidak didukung; pilihan: {', '.join(FORMATS)}")


def _integer(args: Mapping[str, str], name: str, default: int, low: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise bad_parameter(f"{name} harus bilangan bulat, bukan '{raw}'") from None
    if value < low:
        raise bad_parameter(f"{name} harus >= {low}, bukan {value}")
    return value


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``bbox``: 4 numbers (CRS84) or 6 (with heights, which are ignored)."""
    if raw is not None:
        parts = raw.split(",")
        if len(parts) == 6:
            raw = ",".join([parts[0], parts[1], parts[3], parts[4]])
    try:
        return params.bbox(raw)
    except params.ParameterError as exc:
        raise bad_parameter(exc.message) from None


def items_query(args: Mapping[str, str]) -> ItemsQuery:
    return ItemsQuery(
        limit=min(_integer(args, "limit", LIMIT_DEFAULT, 1), LIMIT_MAX),
        offset=_integer(args, "offset", 0, 0),
        bbox=parse_bbox(args.get("bbox")),
    )


# -- documents -------------------------------------------------------------------------------


def json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON (no NaN)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _url(base: str, path: str, query: Mapping[str, str] | None = None) -> str:
    q = urlencode(dict(query), safe=",:") if query else ""
    return f"{base}{path}" + (f"?{q}" if q else "")


def _json(doc: Any, media: str = JSON) -> Answer:
    return {"Content-Type": media}, 200, json_bytes(doc)


def landing(base: str, *, title: str, description: str) -> Answer:
    """The landing page: links to itself, the API definition, conformance and the data."""
    return _json(
        {
            "title": title,
            "description": description,
            "links": [
                _link(f"{base}", "self", JSON, "halaman ini"),
                _link(f"{base}/api", "service-desc", OPENAPI, "definisi API (OpenAPI 3.0)"),
                _link(f"{base}/conformance", "conformance", JSON, "kelas kesesuaian"),
                _link(f"{base}/collections", "data", JSON, "koleksi"),
            ],
        }
    )


def conformance() -> Answer:
    return _json({"conformsTo": CONFORMANCE})


def collection_doc(
    c: CollectionDef, table: FeatureTable, base: str, query: Mapping[str, str]
) -> dict[str, Any]:
    """The description of one collection (``query``: analysis parameters kept in links)."""
    path = f"/collections/{c.id}"
    doc: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "links": [
            _link(_url(base, path, query), "self", JSON, c.title),
            _link(_url(base, f"{path}/items", query), "items", GEOJSON, "fitur / features"),
        ],
    }
    if table.extent is not None:
        doc["extent"] = {"spatial": {"bbox": [table.extent], "crs": CRS84}}
    return doc


def collections(
    entries: Sequence[tuple[CollectionDef, FeatureTable]],
    base: str,
    query: Mapping[str, str],
) -> Answer:
    """Every collection; ``query`` (the request's analysis parameters) goes to results' links."""
    docs = [collection_doc(c, t, base, query if c.hasil else {}) for c, t in entries]
    return _json(
        {
            "links": [_link(_url(base, "/collections", query), "self", JSON, "koleksi")],
            "collections": docs,
        }
    )


def collection(
    c: CollectionDef, table: FeatureTable, base: str, query: Mapping[str, str]
) -> Answer:
    return _json(collection_doc(c, table, base, query))


def _now(t: float | None = None) -> str:
    """The time ``t`` (seconds since the epoch; default now) as ``timeStamp``, to the second."""
    at = dt.datetime.now(dt.UTC) if t is None else dt.datetime.fromtimestamp(t, dt.UTC)
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def items(
    c: CollectionDef,
    table: FeatureTable,
    q: ItemsQuery,
    base: str,
    query: Mapping[str, str],
    *,
    now: float | None = None,
) -> Answer:
    """A page of features: the pre-serialised fragments of the slice joined into one body.

    ``query`` holds the request's parameters other than ``offset`` (kept in the links);
    ``now`` is the ``timeStamp`` (seconds since the epoch; default: the current time).
    """
    positions = table.select(q.bbox)
    matched = len(positions)
    page = positions[q.offset : q.offset + q.limit]
    frags = table.fragments
    body = b",".join(frags[i] for i in page)
    path = f"/collections/{c.id}/items"
    keep = {k: v for k, v in query.items() if k != "offset"}

    def at(offset: int) -> str:
        return _url(base, path, {**keep, **({"offset": str(offset)} if offset else {})})

    links = [
        _link(_url(base, path, query), "self", GEOJSON, "halaman ini"),
        _link(_url(base, f"/collections/{c.id}", _analysis(query)), "collection", JSON, c.title),
    ]
    if q.offset + len(page) < matched:
        links.append(_link(at(q.offset + len(page)), "next", GEOJSON, "halaman berikutnya"))
    if q.offset > 0:
        links.append(_link(at(max(0, q.offset - q.limit)), "prev", GEOJSON, "halaman sebelumnya"))
    meta = json_bytes(
        {
            "numberMatched": matched,
            "numberReturned": len(page),
            "timeStamp": _now(now),
            "links": links,
        }
    )
    out = b'{"type":"FeatureCollection","features":[' + body + b"]," + meta[1:]
    return {"Content-Type": GEOJSON}, 200, out


def _analysis(query: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in query.items() if k in ANALISIS_PARAMS}


def feature(
    c: CollectionDef, table: FeatureTable, feature_id: str, base: str, query: Mapping[str, str]
) -> Answer:
    """One feature by its id (404 when unknown), with links to itself and its collection."""
    pos = table.position.get(feature_id)
    if pos is None:
        raise not_found(f"fitur '{feature_id}' tidak ada di koleksi '{c.id}'")
    frag = table.fragments[pos]
    path = f"/collections/{c.id}"
    links = [
        _link(
            _url(base, f"{path}/items/{quote(feature_id, safe=':')}", query),
            "self",
            GEOJSON,
            "fitur ini",
        ),
        _link(_url(base, path, _analysis(query)), "collection", JSON, c.title),
    ]
    body = frag[:-1] + b',"links":' + json_bytes(links) + b"}"
    return {"Content-Type": GEOJSON}, 200, body
