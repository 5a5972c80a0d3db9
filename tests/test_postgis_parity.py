"""PostGIS against the GeoPackage: the same demo and analysis numbers, `salin` round trips,
and 20 concurrent writers losing nothing."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from geo_klaster import schema as schema_mod
from geo_klaster.cli import main
from geo_klaster.errors import StoreError
from geo_klaster.members import accounts, reports
from geo_klaster.store import GpkgStore, Store, open_store
from geo_klaster.store.copy import copy_store

pytestmark = pytest.mark.postgis

TODAY = "2026-11-27"
RTOL = 1e-9


@pytest.fixture(scope="module")
def pg_schemas(postgis_url: str) -> Iterator[list[str]]:
    """Schemas made by this module's tests, dropped at the end."""
    made: list[str] = []
    yield made
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def new_pg(postgis_url: str, made: list[str]) -> str:
    name = "p_" + uuid.uuid4().hex[:12]
    made.append(name)
    return f"{postgis_url}?schema={name}"


@pytest.fixture(scope="module")
def demos(
    tmp_path_factory: pytest.TempPathFactory, postgis_url: str, pg_schemas: list[str]
) -> dict[str, str]:
    gpkg = str(tmp_path_factory.mktemp("demo") / "klaster.gpkg")
    pg = new_pg(postgis_url, pg_schemas)
    for loc in (gpkg, pg):
        assert main(["--store", loc, "demo", "--tanggal", TODAY]) == 0
    return {"gpkg": gpkg, "postgis": pg}


def all_frames(store: Store) -> dict[str, pd.DataFrame]:
    return {name: store.read(name) for name in schema_mod.layer_names()}


def assert_stores_equal(a: Store, b: Store, *, audit: bool = True) -> None:
    for name in schema_mod.layer_names():
        pd.testing.assert_frame_equal(a.read(name), b.read(name), check_exact=True, obj=name)
    assert a.accounts() == b.accounts()
    assert a.tokens() == b.tokens()
    for meta in ("demo", "demo_dibangun"):
        assert a.get_meta(meta) == b.get_meta(meta)
    if audit:
        pd.testing.assert_frame_equal(a.read_audit(), b.read_audit(), check_exact=True)


def test_demo_is_the_same_on_both(demos: dict[str, str]) -> None:
    gpkg, pg = open_store(demos["gpkg"]), open_store(demos["postgis"])
    assert_stores_equal(gpkg, pg, audit=False)  # audit times differ: two separate runs
    assert gpkg.version() == pg.version() == 1
    for name in ("kecamatan", "zona_banjir", "lokasi"):
        assert gpkg.extent(name) == pg.extent(name)


def test_analyze_gives_the_same_numbers(
    demos: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = {}
    for backend, loc in demos.items():
        out[backend] = tmp_path_factory.mktemp(f"hasil_{backend}")
        assert (
            main(["--store", loc, "analyze", "--out", str(out[backend]), "--tanggal", TODAY]) == 0
        )
    for csv in ("gap.csv", "jangkauan.csv"):
        a, b = (pd.read_csv(out[k] / csv) for k in ("gpkg", "postgis"))
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=RTOL, atol=0, obj=csv)
    gap = pd.read_csv(out["postgis"] / "gap.csv")
    assert gap["kebutuhan"].sum() > 0
    for geojson in ("kecamatan_risiko.geojson", "lokasi_banjir.geojson", "alokasi.geojson"):
        fa, fb = (
            json.loads((out[k] / geojson).read_text())["features"] for k in ("gpkg", "postgis")
        )
        assert len(fa) == len(fb) > 0, geojson
        pa = pd.DataFrame([f["properties"] for f in fa])
        pb = pd.DataFrame([f["properties"] for f in fb])
        pd.testing.assert_frame_equal(pa, pb, check_exact=False, rtol=RTOL, atol=0, obj=geojson)
        assert [f["geometry"] for f in fa] == [f["geometry"] for f in fb]
    risk = pd.DataFrame([f["properties"] for f in json.loads(
        (out["postgis"] / "kecamatan_risiko.geojson").read_text())["features"]])  # fmt: skip
    assert len(risk) == 23 and risk["berisiko"].any()


def test_salin_round_trip_keeps_layers_history_and_audit(
    tmp_path: Path, postgis_url: str, pg_schemas: list[str]
) -> None:
    assert main(["--store", str(tmp_path / "asal.gpkg"), "demo", "--tanggal", TODAY]) == 0
    src = GpkgStore(tmp_path / "asal.gpkg")
    accounts.create_account(src, "bpbd", peran="koordinator", password="rahasia-bpbd")
    accounts.create_account(src, "a1", peran="anggota", password="rahasia-a1", anggota_id="AGT-001")
    accounts.issue_token(src, "a1", label="skrip")
    revoked = accounts.issue_token(src, "bpbd")
    accounts.revoke_token(src, revoked)
    a1 = accounts.authenticate_password(src, "a1", "rahasia-a1", saluran="api")
    site = str(src.read("lokasi").query("anggota_id == 'AGT-001'")["id"].iloc[0])
    when = dt.datetime(2026, 11, 27, 9, 0, 0, 123456)
    for jumlah in (700, 650):  # two reports at the same time: the later-stored line wins
        reports.submit_report(src, a1, [{"barang": "beras", "jumlah": jumlah, "siap": 100}],
                              lokasi_id=site, now=when)  # fmt: skip

    pg = open_store(new_pg(postgis_url, pg_schemas))
    counts = copy_store(src, pg)
    assert counts["stok"][0] == counts["stok"][1] == src.count("stok")
    assert counts["audit"] == (8, 8) and counts["token"] == (2, 2) and counts["akun"] == (2, 2)
    assert_stores_equal(src, pg)
    assert pg.version() == 1

    back = GpkgStore(tmp_path / "kembali.gpkg")
    assert copy_store(pg, back) == counts
    assert_stores_equal(src, back)
    tail = back.read("stok").tail(2)
    assert tail["jumlah"].tolist() == [700.0, 650.0] and tail["dilaporkan"].nunique() == 1
    # the copied accounts and tokens work on the copy
    assert accounts.authenticate_password(pg, "a1", "rahasia-a1").anggota_id == "AGT-001"

    with pytest.raises(StoreError, match="tidak kosong"):
        copy_store(src, pg)
    with pytest.raises(StoreError, match="tidak kosong"):
        copy_store(pg, back)
    with pytest.raises(StoreError, match="sumber belum ada"):
        copy_store(GpkgStore(tmp_path / "tidak_ada.gpkg"), GpkgStore(tmp_path / "x.gpkg"))


def test_salin_keeps_feature_ids_with_gaps_on_postgis(
    tmp_path: Path, postgis_url: str, pg_schemas: list[str]
) -> None:
    """Feature ids are what OGC API links and QGIS use: a PostGIS target keeps them."""
    url = new_pg(postgis_url, pg_schemas)
    assert main(["--store", url, "demo", "--tanggal", TODAY]) == 0
    src = open_store(url)
    with src.transaction() as tx:  # leave a gap in stok's and lokasi's feature ids
        stok = src.read("stok")
        tx.delete("stok")
        tx.append("stok", stok.iloc[::2])
    pg2 = open_store(new_pg(postgis_url, pg_schemas))
    copy_store(src, pg2)
    assert_stores_equal(src, pg2)
    with pg2.transaction() as tx:  # new rows continue after the copied ids
        tx.append("stok", stok.iloc[:1])
    assert pg2.read("stok").index[-1] > stok.index.max()
    gp = GpkgStore(tmp_path / "k.gpkg")  # a GeoPackage target keeps them too
    copy_store(src, gp)
    pd.testing.assert_frame_equal(gp.read("stok"), src.read("stok"))
    assert gp.read_audit()["id"].tolist() == src.read_audit()["id"].tolist()


def test_twenty_concurrent_writers_lose_nothing(postgis_url: str, pg_schemas: list[str]) -> None:
    url = new_pg(postgis_url, pg_schemas)
    assert main(["--store", url, "demo", "--tanggal", TODAY]) == 0
    store = open_store(url)
    accounts.create_account(store, "bpbd", peran="koordinator", password="rahasia-bpbd")
    bpbd = accounts.authenticate_password(store, "bpbd", "rahasia-bpbd", saluran="api")
    sites = store.read("lokasi").drop_duplicates("anggota_id").head(20)["id"].tolist()
    assert len(sites) == 20
    before, version = store.count("stok"), store.version()
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def post(i: int, site: str) -> None:
        try:
            own = open_store(url)  # each writer its own store object, as web requests do
            barrier.wait()
            reports.submit_report(
                own, bpbd, [{"barang": "beras", "jumlah": 1000 + i, "siap": i}], lokasi_id=site
            )
        except BaseException as exc:  # noqa: BLE001 -- collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i, s)) for i, s in enumerate(sites)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    stok = store.read("stok")
    assert len(stok) == before + 20
    new = stok.tail(20)
    assert sorted(new["jumlah"].astype(int)) == list(range(1000, 1020))
    assert sorted(new["lokasi_id"]) == sorted(sites)
    assert stok.index.is_unique
    assert store.version() == version + 20  # no lost increment
    assert (store.read_audit()["aksi"] == "laporan_stok").sum() == 20
