"""Local time in files: times stored in UTC are written to GeoJSON and CSV as ISO 8601 with
the regency zone's offset (``zona_waktu``: WIB by default, WITA, WIT), the same instant; date
fields (``kedaluwarsa``) as dates. The CLI takes ``--zona-waktu``, the web ``ZONA_WAKTU``."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from web_akun import TODAY, build_demo

from geo_klaster import waktu
from geo_klaster.cli import main
from geo_klaster.results.geojson import dumps
from geo_klaster.results.outputs import csv_bytes
from geo_klaster.store import open_store

ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2})$")
TANGGAL = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("waktu") / "demo.gpkg")


def test_kolom_iso_zones_dates_and_missing() -> None:
    naive_utc = pd.Series(pd.to_datetime(["2026-11-27 07:05:00", None]))
    assert waktu.kolom_iso(naive_utc) == ["2026-11-27T14:05:00+07:00", None]
    assert waktu.kolom_iso(naive_utc, "WITA")[0] == "2026-11-27T15:05:00+08:00"
    assert waktu.kolom_iso(naive_utc, "Asia/Jayapura")[0] == "2026-11-27T16:05:00+09:00"
    aware = naive_utc.dt.tz_localize("UTC")
    assert waktu.kolom_iso(aware, "WIB") == waktu.kolom_iso(naive_utc, "WIB")
    dates = pd.Series(pd.to_datetime(["2027-08-05", None]))
    assert waktu.kolom_iso(dates, tanggal=True) == ["2027-08-05", None]
    mixed = pd.Series([dt.datetime(2026, 1, 1, 17, 0), dt.date(2027, 8, 5), None, "teks"])
    assert waktu.kolom_iso(mixed) == ["2026-01-02T00:00:00+07:00", "2027-08-05", None, "teks"]
    with pytest.raises(ValueError, match="WIB, WITA, WIT"):
        waktu.kolom_iso(naive_utc, "CET")


def test_current_zone_is_the_default() -> None:
    token = waktu.set_zona("WIT")
    try:
        assert waktu.iso(dt.datetime(2026, 1, 1, 0, 0)) == "2026-01-01T09:00:00+09:00"
    finally:
        waktu.reset_zona(token)
    assert waktu.iso(dt.datetime(2026, 1, 1, 0, 0)) == "2026-01-01T07:00:00+07:00"


def test_geojson_and_csv_of_a_table() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        {
            "dilaporkan": pd.to_datetime(["2026-11-27 23:30:00"]),
            "kedaluwarsa": pd.to_datetime(["2027-08-05"]),
        },
        geometry=[Point(107.0, -6.2)],
        crs=4326,
    )
    props = json.loads(dumps(frame, zona="WITA"))["features"][0]["properties"]
    assert props == {"dilaporkan": "2026-11-28T07:30:00+08:00", "kedaluwarsa": "2027-08-05"}
    text = csv_bytes(pd.DataFrame(frame.drop(columns="geometry"))).decode()
    assert text.splitlines()[1] == "2026-11-28T06:30:00+07:00,2027-08-05"


def _instants(values: list[str]) -> list[pd.Timestamp]:
    return [pd.Timestamp(v).tz_convert("UTC") for v in values]


@pytest.mark.parametrize(("zona", "offset"), [(None, "+07:00"), ("WITA", "+08:00")])
def test_export_writes_offsets_and_dates(
    demo: Path, tmp_path: Path, zona: str | None, offset: str
) -> None:
    argv = ["--store", str(demo), "export", str(tmp_path / "ekspor")]
    assert main(argv + (["--zona-waktu", zona] if zona else [])) == 0
    fc = json.loads((tmp_path / "ekspor" / "stok.geojson").read_text(encoding="utf-8"))
    props = [f["properties"] for f in fc["features"]]
    times = [p["dilaporkan"] for p in props]
    assert times and all(ISO_OFFSET.match(t) and t.endswith(offset) for t in times), times[:3]
    stored = open_store(demo).read("stok")["dilaporkan"]
    assert _instants(times) == [pd.Timestamp(t, tz="UTC") for t in stored]  # same instants
    dates = [p["kedaluwarsa"] for p in props if p["kedaluwarsa"] is not None]
    assert dates and all(TANGGAL.match(d) for d in dates), dates[:3]


def test_analyze_outputs_carry_offsets(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "hasil"
    assert main(["--store", str(demo), "analyze", "--out", str(out), "--tanggal", TODAY,
                 "--zona-waktu", "WIT"]) == 0  # fmt: skip
    fc = json.loads((out / "lokasi_banjir.geojson").read_text(encoding="utf-8"))
    times = [
        f["properties"]["laporan_terakhir"]
        for f in fc["features"]
        if f["properties"].get("laporan_terakhir")
    ]
    assert times and all(ISO_OFFSET.match(t) and t.endswith("+09:00") for t in times), times[:3]


def test_cli_refuses_an_unknown_zone(demo: Path, tmp_path: Path, capsys: Any) -> None:
    assert main(["--store", str(demo), "export", str(tmp_path), "--zona-waktu", "CET"]) == 2
    assert "WIB, WITA, WIT" in capsys.readouterr().err


def test_web_zone_in_the_api(demo: Path) -> None:
    from geo_klaster.web import create_app

    for config, offset in (({}, "+07:00"), ({"ZONA_WAKTU": "WIT"}, "+09:00")):
        c = create_app({"STORE": demo, "TODAY": TODAY, **config}).test_client()
        fc = c.get("/api/layers/stok.geojson").get_json()
        times = [f["properties"]["dilaporkan"] for f in fc["features"]]
        assert all(ISO_OFFSET.match(t) and t.endswith(offset) for t in times), times[:3]
        dates = [f["properties"]["kedaluwarsa"] for f in fc["features"]]
        assert all(d is None or TANGGAL.match(d) for d in dates), dates[:3]
        lok = c.get("/api/analisis/lokasi.geojson").get_json()["features"]
        shown = [f["properties"].get("laporan") for f in lok]  # the last report's date
        assert any(shown) and all(s is None or TANGGAL.match(s) for s in shown), shown[:3]
