"""The OpenAPI 3.0 document of the OGC API – Features service (``/ogc/api``).

Every collection has its own paths (as in the standard's second example), so each declares
exactly the parameters it takes: ``bbox`` only where there is geometry, ``skenario``,
``jarak_km`` and ``hari`` only on analysis results. Clients read ``limit``'s default and
maximum from here (GDAL and QGIS pick their page size from it). The document is static
for a given set of collections and server URL.
"""

from __future__ import annotations

from typing import Any

from geo_klaster.web import params
from geo_klaster.web.ogc_core import (
    CONFORMANCE,
    GEOJSON,
    JSON,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    OPENAPI,
    CollectionDef,
)

_REF = "#/components"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"{_REF}/{kind}/{name}"}


def _parameters() -> dict[str, Any]:
    return {
        "f": {
            "name": "f",
            "in": "query",
            "required": False,
            "description": "Format jawaban; hanya JSON (GeoJSON untuk fitur).",
            "schema": {"type": "string", "enum": ["json"], "default": "json"},
            "style": "form",
            "explode": False,
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": (
                f"Jumlah fitur paling banyak per halaman (bawaan {LIMIT_DEFAULT}, maksimum "
                f"{LIMIT_MAX}; nilai di atas maksimum dilayani sebagai maksimum). Halaman "
                "berikutnya: ikuti tautan `next`."
            ),
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": LIMIT_MAX,
                "default": LIMIT_DEFAULT,
            },
            "style": "form",
            "explode": False,
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Lewati sekian fitur pertama (untuk halaman; tautan `next` memuatnya).",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
            "style": "form",
            "explode": False,
        },
        "bbox": {
            "name": "bbox",
            "in": "query",
            "required": False,
            "description": (
                "Hanya fitur yang berpotongan dengan kotak ini: minlon,minlat,maxlon,maxlat "
                "(CRS84, derajat; min <= max, dalam ±180/±90). Enam angka (dengan tinggi) "
                "diterima; tingginya diabaikan."
            ),
            "schema": {
                "type": "array",
                "oneOf": [
                    {"minItems": 4, "maxItems": 4},
                    {"minItems": 6, "maxItems": 6},
                ],
                "items": {"type": "number"},
            },
            "style": "form",
            "explode": False,
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "id fitur (lihat deskripsi koleksi)",
            "schema": {"type": "string"},
        },
        "skenario": {
            "name": "skenario",
            "in": "query",
            "required": False,
            "description": (
                "Skenario banjir yang dianalisis (nama dalam zona_banjir; bawaan: skenario "
                "yang dikonfigurasi, lalu yang pertama menurut nama)."
            ),
            "schema": {"type": "string", "minLength": 1},
        },
        "jarak_km": {
            "name": "jarak_km",
            "in": "query",
            "required": False,
            "description": "Jangkauan garis lurus dalam kilometer (bawaan dari konfigurasi).",
            "schema": {
                "type": "number",
                "exclusiveMinimum": True,
                "minimum": 0,
                "maximum": params.JARAK_KM_MAKS,
            },
        },
        "hari": {
            "name": "hari",
            "in": "query",
            "required": False,
            "description": "Hari tanggap darurat untuk kebutuhan (bawaan dari konfigurasi).",
            "schema": {"type": "integer", "minimum": 1, "maximum": params.HARI_MAKS},
        },
        "jangkauan": {
            "name": "jangkauan",
            "in": "query",
            "required": False,
            "description": (
                "Jangkauan garis lurus (garis, bawaan) atau waktu tempuh di jalan dengan banjir "
                "memutus dan memperlambat jalan (jalan; perlu lapisan jalan)."
            ),
            "schema": {"type": "string", "enum": ["garis", "jalan"]},
        },
        "menit": {
            "name": "menit",
            "in": "query",
            "required": False,
            "description": "Jangkauan jalan: batas waktu tempuh dalam menit (bawaan 60).",
            "schema": {"type": "number", "minimum": 1, "maximum": params.MENIT_MAKS},
        },
    }


def _schemas() -> dict[str, Any]:
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
    }
    links = {"type": "array", "items": _ref("schemas", "link")}
    collection = {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "itemType": {"type": "string"},
            "links": links,
            "extent": {
                "type": "object",
                "properties": {
                    "spatial": {
                        "type": "object",
                        "properties": {
                            "bbox": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "array",
                                    "minItems": 4,
                                    "maxItems": 6,
                                    "items": {"type": "number"},
                                },
                            },
                            "crs": {"type": "string"},
                        },
                    }
                },
            },
        },
    }
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": {"type": "object", "nullable": True},
            "properties": {"type": "object", "nullable": True},
            "links": links,
        },
    }
    return {
        "exception": {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },
        "link": link,
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": links,
            },
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "collection": collection,
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": _ref("schemas", "collection")},
            },
        },
        "featureGeoJSON": feature,
        "featureCollectionGeoJSON": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
                "links": links,
                "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
    }


def _responses() -> dict[str, Any]:
    def ok(description: str, media: str, schema: str | None) -> dict[str, Any]:
        content = {"schema": _ref("schemas", schema)} if schema else {"schema": {"type": "object"}}
        return {"description": description, "content": {media: content}}

    error = {"content": {JSON: {"schema": _ref("schemas", "exception")}}}
    return {
        "LandingPage": ok("Halaman awal", JSON, "landingPage"),
        "ConformanceDeclaration": ok("Kelas kesesuaian", JSON, "confClasses"),
        "API": ok("Definisi API ini", OPENAPI, None),
        "Collections": ok("Semua koleksi", JSON, "collections"),
        "Collection": ok("Satu koleksi", JSON, "collection"),
        "Features": ok("Satu halaman fitur", GEOJSON, "featureCollectionGeoJSON"),
        "Feature": ok("Satu fitur", GEOJSON, "featureGeoJSON"),
        "InvalidParameter": {"description": "Parameter tidak dikenal atau tidak sah", **error},
        "NotFound": {"description": "Koleksi atau fitur tidak ada", **error},
        "ServiceUnavailable": {
            "description": "Penyimpanan belum ada, atau belum ada zona banjir untuk analisis",
            **error,
        },
    }


def _op(
    op_id: str,
    summary: str,
    params: list[str],
    ok: str,
    tag: str,
    *,
    not_found: bool = False,
    unavailable: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": _ref("responses", ok),
        "400": _ref("responses", "InvalidParameter"),
    }
    if not_found:
        responses["404"] = _ref("responses", "NotFound")
    if unavailable:
        responses["503"] = _ref("responses", "ServiceUnavailable")
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "tags": [tag],
            "parameters": [_ref("parameters", p) for p in params],
            "responses": responses,
        }
    }


def _collection_paths(c: CollectionDef) -> dict[str, Any]:
    extra = ["skenario", "jarak_km", "hari", "jangkauan", "menit"] if c.hasil else []
    spatial = ["bbox"] if c.has_geometry else []
    op = c.id
    tag = c.id
    base = f"/collections/{c.id}"
    return {
        base: _op(
            f"describe_{op}",
            f"Deskripsi koleksi {c.id}: {c.title}",
            ["f", *extra],
            "Collection",
            tag,
            unavailable=c.hasil,
        ),
        f"{base}/items": _op(
            f"items_{op}",
            f"Fitur {c.id}: {c.title}",
            ["f", "limit", "offset", *spatial, *extra],
            "Features",
            tag,
            unavailable=c.hasil,
        ),
        f"{base}/items/{{featureId}}": _op(
            f"feature_{op}",
            f"Satu fitur {c.id}; id = {c.id_doc}",
            ["f", "featureId", *extra],
            "Feature",
            tag,
            not_found=True,
            unavailable=c.hasil,
        ),
    }


def document(base: str, defs: list[CollectionDef], *, title: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document for ``defs``, served at ``base`` (the landing page URL)."""
    paths: dict[str, Any] = {
        "/": _op("getLandingPage", "Halaman awal", ["f"], "LandingPage", "Capabilities"),
        "/conformance": _op(
            "getConformanceDeclaration",
            "Kelas kesesuaian: " + ", ".join(u.rsplit("/", 1)[1] for u in CONFORMANCE),
            ["f"],
            "ConformanceDeclaration",
            "Capabilities",
        ),
        "/api": _op("getAPI", "Definisi API ini (OpenAPI 3.0)", ["f"], "API", "Capabilities"),
        "/collections": _op(
            "getCollections",
            "Semua koleksi: lapisan penyimpanan dan hasil analisis skenario",
            ["f", "skenario", "jarak_km", "hari", "jangkauan", "menit"],
            "Collections",
            "Capabilities",
            unavailable=True,
        ),
    }
    for c in defs:
        paths.update(_collection_paths(c))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": (
                "OGC API – Features Part 1 (Core, GeoJSON, OAS30), hanya baca: setiap lapisan "
                "penyimpanan geo_klaster dan setiap hasil analisis skenario banjir. Data pribadi "
                "(kontak, telepon) tidak pernah disertakan. Parameter yang tidak dinyatakan di "
                "sini dijawab 400 (Requirement 8 /req/core/query-param-unknown)."
            ),
        },
        "servers": [{"url": base}],
        "tags": [{"name": "Capabilities"}] + [{"name": c.id, "description": c.title} for c in defs],
        "paths": paths,
        "components": {
            "parameters": _parameters(),
            "schemas": _schemas(),
            "responses": _responses(),
        },
    }
