"""GDAL's own OGC API – Features client (OAPIF driver, Debian's gdal-bin) against a running
server: waitress on 127.0.0.1 and a free port, serving the demo store.

``ogrinfo`` lists every collection; ``ogr2ogr`` with a page size smaller than the layer
copies every feature exactly once (by following ``next``); a spatial filter reaches the
server as ``bbox`` and returns only what intersects. Skipped when gdal-bin is missing,
failed instead under ``CI``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyogrio
import pytest
import shapely

from geo_klaster.store import open_store

DAY = dt.date(2026, 11, 27)
BBOX = (107.10, -6.45, 107.25, -6.30)


def _gdal() -> None:
    if shutil.which("ogrinfo") and shutil.which("ogr2ogr"):
        return
    reason = "gdal-bin (ogrinfo, ogr2ogr) is not installed; scripts/test.sh installs it"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class Server:
    url: str
    store: Path
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, query)

    def items_queries(self, collection: str) -> list[dict[str, list[str]]]:
        path = f"/ogc/collections/{collection}/items"
        return [parse_qs(q) for p, q in self.requests if p == path]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _gdal()
    import waitress
    from geo_klaster.web import create_app

    from geo_klaster.cli import main

    store = tmp_path_factory.mktemp("ogc_gdal") / "demo.gpkg"
    assert main(["--store", str(store), "demo", "--tanggal", DAY.isoformat()]) == 0
    app = create_app({"STORE": store, "TODAY": DAY})
    seen: list[tuple[str, str]] = []

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append((environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")))
        return app(environ, start_response)

    wsgi = waitress.create_server(recording, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{wsgi.effective_port}/ogc", store, seen)
    finally:
        wsgi.close()
        thread.join(timeout=5)


def _run(*args: str) -> str:
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "CPL_DEBUG": "OFF"}
    proc = subprocess.run(args, check=False, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, (args, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc.stdout


def test_ogrinfo_lists_every_collection(server: Server) -> None:
    out = _run("ogrinfo", "-ro", "-so", f"OAPIF:{server.url}")
    listed = {
        line.split(":", 1)[1].split("(")[0].strip() for line in out.splitlines() if ":" in line
    }
    from geo_klaster.web.ogc_core import collection_defs

    expected = {c.id for c in collection_defs()}
    assert expected <= listed, out


def test_ogr2ogr_pages_through_every_feature_once(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "lokasi.gpkg"
    server.requests.clear()
    _run("ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{server.url}", "lokasi", "-oo", "PAGE_SIZE=17")
    got = pyogrio.read_dataframe(out, layer="lokasi")
    store_ids = list(open_store(server.store).read("lokasi")["id"])
    assert len(store_ids) == 113  # more than one page of 17
    assert len(got) == len(store_ids)
    assert sorted(got["id"]) == sorted(store_ids)  # every feature, none twice
    pages = server.items_queries("lokasi")
    assert len(pages) >= 7, pages  # ceil(113 / 17): GDAL followed `next`
    assert all(q.get("limit") == ["17"] for q in pages), pages


@pytest.mark.parametrize("layer", ["lokasi", "kecamatan"])
def test_spatial_filter_returns_only_what_intersects(
    server: Server, tmp_path: Path, layer: str
) -> None:
    out = tmp_path / f"{layer}_bbox.gpkg"
    server.requests.clear()
    _run(
        "ogr2ogr",
        "-f",
        "GPKG",
        str(out),
        f"OAPIF:{server.url}",
        layer,
        "-spat",
        *map(str, BBOX),
    )
    got = pyogrio.read_dataframe(out, layer=layer)
    frame = open_store(server.store).read(layer)
    key = {"lokasi": "id", "kecamatan": "kode"}[layer]
    expected = set(frame[key][shapely.intersects(frame.geometry.values, shapely.box(*BBOX))])
    assert 0 < len(expected) < len(frame)
    assert set(got[key]) == expected
    # the filter was the server's work, not only GDAL's
    bboxes = [q["bbox"] for q in server.items_queries(layer) if "bbox" in q]
    assert bboxes, server.requests
    assert [float(v) for v in bboxes[0][0].split(",")] == pytest.approx(list(BBOX))
