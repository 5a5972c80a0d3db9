"""Scenario comparison (``banding``), the ``jenis``/``waktu`` fields of ``zona_banjir`` and
stores made before those fields existed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from conftest import DAY

from geo_klaster.cli import main
from geo_klaster.results.banding import latest_event, scenarios
from geo_klaster.store import open_store

UTARA, KALI = "latihan_banjir_utara", "latihan_kali_bekasi"


def run(store: Path | str, *args: object) -> int:
    return main(["--store", str(store), *map(str, args)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zone_file(path: Path, rows: list[dict[str, object]]) -> Path:
    """A GeoJSON of 1 km-ish squares in Bekasi, one per row of properties."""
    feats = []
    for i, props in enumerate(rows):
        x, y = 107.0 + 0.02 * i, -6.25
        ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    return path


# -- the CLI on the demo's two exercise scenarios ------------------------------------------------


def test_demo_scenarios_side_by_side(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b"
    assert run(demo_store, "banding", "--skenario", UTARA, "--skenario", KALI,
               "--tanggal", DAY.isoformat(), "--out", out) == 0  # fmt: skip
    text = capsys.readouterr().out
    ring = pd.read_csv(out / "banding_ringkasan.csv").set_index("skenario")
    assert list(ring.index) == [UTARA, KALI]
    assert set(ring["jenis"]) == {"rencana"}  # the demo's scenarios are plan exercises
    kec = pd.read_csv(out / "banding_gap.csv")
    # B - A per kecamatan and item, to the unit
    assert (kec["selisih"] - (kec["kekurangan_b"] - kec["kekurangan_a"])).abs().max() < 1e-6
    for name in ring.index:
        assert (
            f"{name} (rencana): {ring.loc[name, 'kecamatan_berisiko']} kecamatan berisiko" in text
        )
    fc = json.loads((out / "banding_kecamatan.geojson").read_text("utf-8"))
    changes = [f["properties"]["perubahan"] for f in fc["features"]]
    assert len(changes) == 23  # every kecamatan of the regency, with its change
    assert (
        changes.count("baru_berisiko") + changes.count("tetap_berisiko")
        == ring.loc[KALI, "kecamatan_berisiko"]
    )
    assert f"Berisiko di {KALI} tetapi tidak di {UTARA}:" in text
    # no plan against event here: those tables are empty, with their header
    assert pd.read_csv(out / "banding_alokasi.csv").empty


def test_one_scenario_exits_2_saying_two_are_needed(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(demo_store)
    assert run(demo_store, "banding", "--skenario", UTARA) == 2
    err = capsys.readouterr().err
    assert "butuh dua skenario" in err and "needs two scenarios" in err
    assert run(demo_store, "banding", "--skenario", UTARA, "--skenario", UTARA) == 2
    assert run(demo_store, "banding") == 2
    assert digest(demo_store) == before


def test_unknown_scenario_exits_2_listing_the_known(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(demo_store, "banding", "--skenario", UTARA, "--skenario", "banjir_2020") == 2
    err = capsys.readouterr().err
    assert "skenario tidak dikenal / unknown scenario: banjir_2020" in err
    assert f"yang ada / known: {UTARA}, {KALI}" in err


# -- jenis and waktu on import ------------------------------------------------------------------


def test_event_imported_with_time_and_listed_latest(tmp_path: Path) -> None:
    store = tmp_path / "k.gpkg"
    assert run(store, "init") == 0
    plan = zone_file(tmp_path / "r.geojson", [{"kelas": "sedang", "skenario": "rencana_1"}])
    ev1 = zone_file(tmp_path / "e1.geojson", [{"kelas": "tinggi", "skenario": "banjir_jan"}])
    ev2 = zone_file(tmp_path / "e2.geojson", [{"kelas": "tinggi", "skenario": "banjir_feb"}])
    assert run(store, "import", "zona_banjir", plan) == 0
    assert run(store, "import", "zona_banjir", ev1, "--nilai", "jenis=kejadian",
               "--nilai", "waktu=2026-01-10T06:00:00+07:00") == 0  # fmt: skip
    assert run(store, "import", "zona_banjir", ev2, "--nilai", "jenis=kejadian",
               "--nilai", "waktu=2026-02-03T23:30:00Z") == 0  # fmt: skip
    zona = open_store(store).read("zona_banjir")
    s = scenarios(zona).set_index("skenario")
    assert s.loc["rencana_1", "jenis"] == "rencana" and pd.isna(s.loc["rencana_1", "waktu"])
    assert str(s.loc["banjir_jan", "waktu"]) == "2026-01-09 23:00:00"  # UTC
    latest = latest_event(zona)
    assert latest is not None and latest["skenario"] == "banjir_feb"
    assert latest["rencana"] == ["rencana_1"]
    assert latest["waktu_wib"] == "2026-02-04 06:30 WIB"


def test_info_names_kind_and_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "k.gpkg"
    ev = zone_file(tmp_path / "e.geojson", [{"kelas": "tinggi", "skenario": "banjir_jan"}])
    assert run(store, "import", "zona_banjir", ev, "--nilai", "jenis=kejadian",
               "--nilai", "waktu=2026-01-10T06:00:00+07:00") == 0  # fmt: skip
    capsys.readouterr()
    assert run(store, "info") == 0
    assert "banjir_jan: 1 zona (tinggi 1), kejadian 2026-01-10 06:00 WIB" in capsys.readouterr().out


def test_time_without_offset_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "k.gpkg"
    assert run(store, "init") == 0
    before = digest(store)
    f = zone_file(tmp_path / "z.geojson", [
        {"kelas": "tinggi", "skenario": "e", "jenis": "kejadian", "waktu": "2026-01-10T06:00:00+07:00"},
        {"kelas": "tinggi", "skenario": "e", "jenis": "kejadian", "waktu": "2026-01-10 06:00"},
    ])  # fmt: skip
    assert run(store, "import", "zona_banjir", f) == 2
    err = capsys.readouterr().err
    assert "fitur 2, kolom 'waktu': waktu tanpa zona waktu" in err
    assert "2007-02-02T08:00:00+07:00" in err  # the message shows the form wanted
    assert run(store, "import", "zona_banjir", f, "--nilai", "waktu=2026-01-10") == 2
    assert "waktu tanpa zona waktu" in capsys.readouterr().err
    assert digest(store) == before


def test_kind_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "k.gpkg"
    assert run(store, "init") == 0
    before = digest(store)
    f = zone_file(tmp_path / "z.geojson", [
        {"kelas": "tinggi", "skenario": "x", "jenis": "rencana"},
        {"kelas": "tinggi", "skenario": "x", "jenis": "kejadian"},
        {"kelas": "tinggi", "skenario": "y", "jenis": "ramalan"},
    ])  # fmt: skip
    assert run(store, "import", "zona_banjir", f) == 2
    err = capsys.readouterr().err
    assert "fitur 2, kolom 'jenis': skenario 'x' bercampur rencana dan kejadian" in err
    assert "fitur 3, kolom 'jenis': nilai 'ramalan' tidak dikenal" in err
    assert "pilihan: rencana, kejadian" in err
    assert digest(store) == before


# -- stores made before jenis and waktu existed -------------------------------------------------


def _old_gpkg(path: Path) -> None:
    """Drop the two new columns, as a store made before them looks."""
    with closing(sqlite3.connect(path)) as con:
        con.execute('ALTER TABLE zona_banjir DROP COLUMN "waktu"')
        con.execute('ALTER TABLE zona_banjir DROP COLUMN "jenis"')
        con.commit()


def _old_pg(url: str, conninfo: str, schema: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{schema}".zona_banjir DROP COLUMN waktu, DROP COLUMN jenis')


@pytest.mark.parametrize("backend", ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def test_store_made_before_the_fields_opens_and_migrates(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "gpkg":
        location: str = str(tmp_path / "k.gpkg")
    else:
        from test_store_backends import new_pg_schema

        gen = new_pg_schema(
            request.getfixturevalue("postgis_url"), request.getfixturevalue("pg_conn")
        )
        location = next(gen)
        request.addfinalizer(lambda: next(gen, None))
    plan = zone_file(tmp_path / "r.geojson", [{"kelas": "sedang", "skenario": "lama"}] * 2)
    assert run(location, "import", "zona_banjir", plan) == 0
    if backend == "gpkg":
        _old_gpkg(Path(location))
    else:
        from geo_klaster.store.postgis import parse_url

        conninfo, schema, _ = parse_url(location)
        _old_pg(location, conninfo, schema)
    old = open_store(location)
    zona = old.read("zona_banjir")
    assert list(zona["jenis"]) == ["rencana", "rencana"]  # missing = the default
    assert zona["waktu"].isna().all()
    assert old.distinct("zona_banjir", "jenis") == {"rencana"}
    assert len(old.features("zona_banjir")[0]) == 2
    # the next write adds the columns; the old rows keep the default
    ev = zone_file(tmp_path / "e.geojson", [{"kelas": "tinggi", "skenario": "baru"}])
    assert run(location, "import", "zona_banjir", ev, "--nilai", "jenis=kejadian",
               "--nilai", "waktu=2026-01-10T06:00:00+07:00") == 0  # fmt: skip
    zona = open_store(location).read("zona_banjir")
    assert dict(zip(zona["skenario"], zona["jenis"], strict=True)) == {
        "lama": "rencana",
        "baru": "kejadian",
    }
    assert str(zona.loc[zona["skenario"] == "baru", "waktu"].iloc[0]) == "2026-01-09 23:00:00"
    assert open_store(location).distinct("zona_banjir", "jenis") == {"rencana", "kejadian"}


def test_road_reach_passed_on(demo_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``banding`` analyses with ``analyze``'s reach options: road reach needs roads."""
    assert run(demo_store, "banding", "--skenario", UTARA, "--skenario", KALI,
               "--jangkauan", "jalan", "--menit", "45") == 2  # fmt: skip
    assert "--jangkauan jalan: lapisan jalan kosong" in capsys.readouterr().err
