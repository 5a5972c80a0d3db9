"""OGC API – Features under /ogc, through Flask's test client on the demo store.

The JSON contract (landing links, conformance, collections with CRS84 extents, paging
arithmetic and next/prev links, numberMatched equal to the store's count, bbox equal to a
shapely check, single features, OGC exceptions for 400/404, no personal data, media types),
the OpenAPI document (validated by openapi-spec-validator) and a bounded property-based run
of schemathesis against that document that must find no 5xx.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
import shapely
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)

from geo_klaster import schema as schema_mod
from geo_klaster.store import open_store

GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LAYERS = schema_mod.layer_names()
HASIL = [
    "hasil_kecamatan_risiko",
    "hasil_lokasi_banjir",
    "hasil_alokasi",
    "hasil_jangkauan",
    "hasil_kebutuhan",
    "hasil_gap",
]
KEYS = {"kecamatan": "kode", "desa": "kode_desa", "anggota": "id", "lokasi": "id", "barang": "kode"}
# Bekasi's south-east: some kecamatan and sites inside, most outside.
BBOX = (107.10, -6.45, 107.25, -6.30)


def _get(client: Any, url: str, status: int = 200, media: str = "application/json") -> Any:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.data[:300])
    assert resp.mimetype == media, (url, resp.mimetype)
    return json.loads(resp.data)


def _local(href: str) -> str:
    """An absolute link of the test client's server as a path + query."""
    parts = urlsplit(href)
    assert parts.scheme == "http" and parts.netloc == "localhost", href
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _rel(doc: dict[str, Any], rel: str) -> dict[str, Any] | None:
    found = [link for link in doc["links"] if link["rel"] == rel]
    assert len(found) <= 1, found
    return found[0] if found else None


# -- landing page, conformance, collections -------------------------------------------------


def test_landing_page_links(client: Any) -> None:
    doc = _get(client, "/ogc")
    rels = {link["rel"]: link for link in doc["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == OPENAPI
    assert _local(rels["service-desc"]["href"]) == "/ogc/api"
    assert _local(rels["conformance"]["href"]) == "/ogc/conformance"
    assert _local(rels["data"]["href"]) == "/ogc/collections"
    assert client.get(_local(rels["service-desc"]["href"])).headers["Content-Type"] == OPENAPI
    assert _get(client, "/ogc?f=json") == doc


def test_conformance(client: Any) -> None:
    doc = _get(client, "/ogc/conformance")
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {base + "core", base + "geojson", base + "oas30"} <= set(doc["conformsTo"])


def test_collections_are_every_layer_and_result(client: Any, demo_store: Path) -> None:
    doc = _get(client, "/ogc/collections")
    by_id = {c["id"]: c for c in doc["collections"]}
    assert list(by_id) == LAYERS + HASIL
    store = open_store(demo_store)
    for cid, c in by_id.items():
        assert c["title"] and c["description"] and c["itemType"] == "feature"
        items = _rel(c, "items")
        assert items is not None and items["type"] == GEOJSON
        assert c == _get(client, f"/ogc/collections/{cid}")
        if cid in LAYERS:
            assert c["title"] == schema_mod.get(cid).title
            extent = store.extent(cid)
            if extent is None:  # attribute tables, and desa (empty in the demo)
                assert "extent" not in c
                continue
            assert c["extent"]["spatial"]["crs"] == CRS84
            (bbox,) = c["extent"]["spatial"]["bbox"]
            assert bbox == pytest.approx(list(extent), abs=1e-6)
    assert "extent" not in by_id["stok"] and "extent" not in by_id["hasil_gap"]
    kec = by_id["hasil_kecamatan_risiko"]["extent"]["spatial"]["bbox"][0]
    assert kec == pytest.approx(by_id["kecamatan"]["extent"]["spatial"]["bbox"][0])


# -- items -----------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", LAYERS)
def test_number_matched_equals_store_count(client: Any, demo_store: Path, layer: str) -> None:
    n = open_store(demo_store).count(layer)
    fc = _get(client, f"/ogc/collections/{layer}/items", media=GEOJSON)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert fc["numberMatched"] == n
    assert fc["numberReturned"] == len(fc["features"]) == min(n, 100)
    assert fc["timeStamp"].endswith("Z")
    assert (_rel(fc, "next") is not None) == (n > 100)
    assert _rel(fc, "prev") is None


def test_paging_follows_next_to_every_feature_once(client: Any, demo_store: Path) -> None:
    store_ids = list(open_store(demo_store).read("lokasi")["id"])
    assert len(store_ids) == 113
    url: str | None = "/ogc/collections/lokasi/items?limit=17"
    seen: list[str] = []
    pages = 0
    while url is not None:
        fc = _get(client, url, media=GEOJSON)
        offset = int(parse_qs(urlsplit(url).query).get("offset", ["0"])[0])
        assert fc["numberMatched"] == 113
        assert fc["numberReturned"] == len(fc["features"]) == min(17, 113 - offset)
        assert (_rel(fc, "prev") is None) == (offset == 0)
        assert _local(_rel(fc, "self")["href"]) == url  # type: ignore[index]
        seen += [f["id"] for f in fc["features"]]
        nxt = _rel(fc, "next")
        url = _local(nxt["href"]) if nxt else None
        pages += 1
    assert pages == 7  # ceil(113 / 17)
    assert seen == store_ids  # every feature once, in the store's order


def test_paging_arithmetic_and_prev(client: Any) -> None:
    fc = _get(client, "/ogc/collections/lokasi/items?limit=17&offset=102", media=GEOJSON)
    assert fc["numberReturned"] == 11 and _rel(fc, "next") is None
    prev = parse_qs(urlsplit(_rel(fc, "prev")["href"]).query)  # type: ignore[index]
    assert prev["offset"] == ["85"] and prev["limit"] == ["17"]
    fc = _get(client, "/ogc/collections/lokasi/items?limit=17&offset=5", media=GEOJSON)
    prev = parse_qs(urlsplit(_rel(fc, "prev")["href"]).query)  # type: ignore[index]
    assert "offset" not in prev  # back to the first page
    nxt = parse_qs(urlsplit(_rel(fc, "next")["href"]).query)  # type: ignore[index]
    assert nxt["offset"] == ["22"]
    past = _get(client, "/ogc/collections/lokasi/items?offset=500", media=GEOJSON)
    assert past["numberReturned"] == 0 and past["features"] == [] and past["numberMatched"] == 113
    assert _rel(past, "next") is None and _rel(past, "prev") is not None


def test_limit_above_maximum_is_served_as_maximum(client: Any) -> None:
    fc = _get(client, "/ogc/collections/stok/items?limit=50000", media=GEOJSON)
    assert fc["numberReturned"] == fc["numberMatched"] == 1303


@pytest.mark.parametrize("layer", ["kecamatan", "lokasi", "zona_banjir", "anggota"])
def test_bbox_equals_shapely_intersects(client: Any, demo_store: Path, layer: str) -> None:
    frame = open_store(demo_store).read(layer)
    hit = shapely.intersects(frame.geometry.values, shapely.box(*BBOX))
    key = KEYS.get(layer)
    expected = list(frame[key][hit]) if key else [int(i) for i in frame.index[hit]]
    bbox = ",".join(map(str, BBOX))
    fc = _get(client, f"/ogc/collections/{layer}/items?bbox={bbox}&limit=10000", media=GEOJSON)
    assert [f["id"] for f in fc["features"]] == expected
    assert fc["numberMatched"] == len(expected)
    assert 0 < len(expected) < len(frame) or layer == "zona_banjir"
    # a page of the filtered set, and its next link keeps the filter
    fc = _get(client, f"/ogc/collections/{layer}/items?bbox={bbox}&limit=2", media=GEOJSON)
    assert [f["id"] for f in fc["features"]] == expected[:2]
    if len(expected) > 2:
        nxt = parse_qs(urlsplit(_rel(fc, "next")["href"]).query)  # type: ignore[index]
        assert nxt["bbox"] == [bbox]


def test_bbox_with_heights_uses_the_horizontal_box(client: Any) -> None:
    four = _get(client, "/ogc/collections/lokasi/items?bbox=107.1,-6.45,107.25,-6.3", media=GEOJSON)
    six = _get(
        client, "/ogc/collections/lokasi/items?bbox=107.1,-6.45,0,107.25,-6.3,10", media=GEOJSON
    )
    assert [f["id"] for f in six["features"]] == [f["id"] for f in four["features"]]


def test_single_feature(client: Any, demo_store: Path) -> None:
    frame = open_store(demo_store).read("lokasi")
    fc = _get(client, "/ogc/collections/lokasi/items?limit=3", media=GEOJSON)
    for f in fc["features"]:
        one = _get(client, f"/ogc/collections/lokasi/items/{f['id']}", media=GEOJSON)
        assert one["type"] == "Feature" and one["id"] == f["id"]
        assert one["properties"] == f["properties"] and one["geometry"] == f["geometry"]
        assert _local(_rel(one, "collection")["href"]) == "/ogc/collections/lokasi"  # type: ignore[index]
    row = frame[frame["id"] == fc["features"][0]["id"]].iloc[0]
    lon, lat = fc["features"][0]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((row.geometry.x, row.geometry.y), abs=1e-7)
    # layers without a key: the store's fid
    stok = _get(client, "/ogc/collections/stok/items/7", media=GEOJSON)
    assert stok["id"] == 7 and stok["geometry"] is None
    assert (
        stok["properties"]["lokasi_id"] == open_store(demo_store).read("stok").loc[7, "lokasi_id"]
    )


# -- analysis results ------------------------------------------------------------------------


def test_results_computed_once_and_follow_skenario(client: Any, app: Any) -> None:
    cache = app.extensions["geo_klaster"]
    skenario = cache.snapshot().skenario
    fc = _get(client, "/ogc/collections/hasil_kecamatan_risiko/items", media=GEOJSON)
    before = cache.hitungan["analisis"]
    for cid in HASIL:
        _get(client, f"/ogc/collections/{cid}/items?limit=5", media=GEOJSON)
        _get(client, f"/ogc/collections/{cid}")
    assert cache.hitungan["analisis"] == before  # the cached analysis, not recomputed
    assert fc["numberMatched"] == 23
    assert {f["properties"]["skenario"] for f in fc["features"]} == {skenario[0]}
    for name in skenario:
        fc = _get(
            client, f"/ogc/collections/hasil_kecamatan_risiko/items?skenario={name}", media=GEOJSON
        )
        assert {f["properties"]["skenario"] for f in fc["features"]} == {name}
        assert all(f"skenario={name}" in link["href"] for link in fc["links"])
    gap = _get(client, "/ogc/collections/hasil_gap/items?limit=1", media=GEOJSON)["features"][0]
    one = _get(client, f"/ogc/collections/hasil_gap/items/{gap['id']}", media=GEOJSON)
    assert gap["id"] == f"{gap['properties']['kode']}:{gap['properties']['barang']}"
    assert one["properties"] == gap["properties"]


def test_pages_are_not_reserialised(client: Any, app: Any) -> None:
    cache = app.extensions["geo_klaster"]
    _get(client, "/ogc/collections/kecamatan/items?limit=5", media=GEOJSON)
    built = cache.hitungan["ogc"]
    for offset in range(0, 23, 5):
        _get(client, f"/ogc/collections/kecamatan/items?limit=5&offset={offset}", media=GEOJSON)
    assert cache.hitungan["ogc"] == built


# -- errors and personal data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/ogc/collections/lokasi/items?limit=-1", 400),
        ("/ogc/collections/lokasi/items?limit=0", 400),
        ("/ogc/collections/lokasi/items?limit=abc", 400),
        ("/ogc/collections/lokasi/items?offset=-3", 400),
        ("/ogc/collections/lokasi/items?bbox=1,2,3", 400),
        ("/ogc/collections/lokasi/items?bbox=a,b,c,d", 400),
        ("/ogc/collections/lokasi/items?bbox=10,0,5,1", 400),  # minx > maxx
        ("/ogc/collections/lokasi/items?bbox=0,-100,1,1", 400),  # outside ±90
        ("/ogc/collections/lokasi/items?bbox=nan,0,1,1", 400),
        ("/ogc/collections/lokasi/items?f=xml", 400),
        ("/ogc/collections/lokasi/items?foo=bar", 400),  # Requirement 8: unknown parameter
        ("/ogc/collections/stok/items?bbox=0,0,1,1", 400),  # no geometry: bbox not defined
        ("/ogc/collections/lokasi/items?skenario=x", 400),  # skenario only on results
        ("/ogc/collections/hasil_gap/items?skenario=tidak_ada", 400),
        ("/ogc/collections/hasil_gap/items?hari=0", 400),
        ("/ogc?limit=3", 400),
        ("/ogc/collections/tidak_ada", 404),
        ("/ogc/collections/tidak_ada/items", 404),
        ("/ogc/collections/lokasi/items/TIDAK-ADA", 404),
        ("/ogc/collections/stok/items/999999", 404),
        ("/ogc/collections/hasil_gap/items/32.16.02:tidak_ada", 404),
        ("/ogc/tidak/ada", 404),
    ],
)
def test_errors_are_ogc_exceptions(client: Any, url: str, status: int) -> None:
    body = _get(client, url, status=status)
    assert body["code"] in ({400: "InvalidParameterValue", 404: "NotFound"}[status],)
    assert isinstance(body["description"], str) and body["description"]


def test_no_personal_data_anywhere(client: Any, demo_store: Path) -> None:
    anggota = open_store(demo_store).read("anggota")
    secrets = [
        str(v) for c in ("kontak", "telepon") for v in anggota[c].dropna() if len(str(v)) > 5
    ]
    assert secrets  # the demo has contacts to leak
    for cid in LAYERS + HASIL:
        body = client.get(f"/ogc/collections/{cid}/items?limit=10000").data.decode()
        assert "kontak" not in body and "telepon" not in body, cid
        assert not [s for s in secrets if s in body], cid
    one = _get(client, f"/ogc/collections/anggota/items/{anggota['id'].iloc[0]}", media=GEOJSON)
    assert not {"kontak", "telepon"} & set(one["properties"])


# -- the OpenAPI document --------------------------------------------------------------------


def test_openapi_document_validates_and_declares_limits(client: Any) -> None:
    from openapi_spec_validator import validate

    resp = client.get("/ogc/api")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == OPENAPI
    doc = json.loads(resp.data)
    validate(doc)
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert limit["default"] == 100 and limit["maximum"] == 10000 and limit["minimum"] == 1
    for cid in LAYERS + HASIL:
        for path in (f"/collections/{cid}", f"/collections/{cid}/items"):
            assert path in doc["paths"], path
        names = {
            p["$ref"].rsplit("/", 1)[1]
            for p in doc["paths"][f"/collections/{cid}/items"]["get"]["parameters"]
        }
        has_geometry = cid in LAYERS and schema_mod.get(cid).has_geometry
        has_geometry |= cid in HASIL[:3]
        assert ("bbox" in names) == has_geometry, cid
        assert ("skenario" in names) == cid.startswith("hasil_"), cid
        assert f"/collections/{cid}/items/{{featureId}}" in doc["paths"]


@pytest.fixture(scope="module")
def ogc_schema(app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/ogc/api", app)


@pytest.mark.parametrize("tag", ["Capabilities", *LAYERS, *HASIL])
def test_schemathesis_finds_no_server_error(ogc_schema: Any, tag: str) -> None:
    """Property-based requests from the OpenAPI document, through WSGI (no network).

    Up to 30 examples per operation. (schemathesis' own pytest plugin, ``from_fixture``,
    fails on pytest 9 (``Function._nodeid``), so each operation's strategy is driven by
    hypothesis here.)
    """
    operations = [r.ok() for r in ogc_schema.get_all_operations()]
    operations = [op for op in operations if tag in op.tags]
    assert operations
    checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(checks=checks)

        run()
