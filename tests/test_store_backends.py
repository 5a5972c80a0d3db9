"""The store interface on both backends: GeoPackage (tmp file) and PostGIS (a schema per test).

The same tests run on each (parametrised); frames in and out must be identical, dtype for
dtype. PostGIS-only tests check that the database's own constraints back up validation.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from shapely.geometry import MultiLineString, MultiPolygon, Point, Polygon, box

from geo_klaster import schema as schema_mod
from geo_klaster.errors import StoreError
from geo_klaster.store import GpkgStore, Store, open_store
from geo_klaster.store.base import Account, AuditEntry, Token

BACKENDS = ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)]


# -- fixtures -------------------------------------------------------------------------------------


def new_pg_schema(postgis_url: str, pg_conn: psycopg.Connection) -> Iterator[str]:
    """A store URL in a fresh schema of the test database; the schema is dropped afterwards."""
    name = "t_" + uuid.uuid4().hex[:12]
    yield f"{postgis_url}?schema={name}"
    pg_conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def pg_url(postgis_url: str, pg_conn: psycopg.Connection) -> Iterator[str]:
    yield from new_pg_schema(postgis_url, pg_conn)


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "gpkg":
        return str(tmp_path / "klaster.gpkg")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location: str) -> Store:
    s = open_store(location)
    s.init()
    return s


# -- sample data: every layer, every type ---------------------------------------------------------


def square(x: float, y: float, d: float = 0.01) -> MultiPolygon:
    return MultiPolygon([box(x, y, x + d, y + d)])


def typed(layer: str, rows: list[dict], geoms: list | None = None) -> pd.DataFrame:
    """A frame with the store's dtypes (str object, int Int64, float float64, bool,
    date/datetime datetime64[ns])."""
    sch = schema_mod.get(layer)
    data = {}
    for f in sch.fields:
        values = [r.get(f.name) for r in rows]
        if f.type == "str":
            data[f.name] = pd.Series(values, dtype=object)
        elif f.type == "int":
            data[f.name] = pd.Series(values, dtype="Int64")
        elif f.type == "float":
            data[f.name] = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        elif f.type == "bool":
            data[f.name] = pd.Series([bool(v) for v in values], dtype=bool)
        else:
            data[f.name] = pd.Series(pd.to_datetime(values, format="ISO8601")).astype(
                "datetime64[ns]"
            )
    frame = pd.DataFrame(data)
    if sch.has_geometry:
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)
    return frame


def sample() -> dict[str, pd.DataFrame]:
    return {
        "kecamatan": typed(
            "kecamatan",
            [
                {
                    "kode": "32.16.01",
                    "nama": "Tarumajaya",
                    "penduduk": 123456.5,
                    "kk": 40000,
                    "sumber_penduduk": "BPS 2020",
                    "contoh": True,
                },
                {"kode": "32.16.02", "nama": "Babelan", "kk": 0, "keterangan": "tanpa penduduk"},
            ],
            [
                square(106.99, -6.13),
                MultiPolygon(
                    [box(107.03, -6.13, 107.04, -6.12), box(107.05, -6.13, 107.06, -6.12)]
                ),
            ],
        ),
        "desa": typed(
            "desa",
            [
                {
                    "kode_desa": "32.16.01.2001",
                    "kode": "32.16.01",
                    "nama_desa": "Segarajaya",
                    "penduduk": 9876.0,
                }
            ],
            [square(106.991, -6.129, 0.002)],
        ),
        "zona_banjir": typed(
            "zona_banjir",
            [
                {"kelas": "tinggi", "indeks": 0.8, "skenario": "a", "sumber": "latihan"},
                {"kelas": "rendah", "skenario": "a"},
                {"kelas": "sedang", "indeks": 0.5, "skenario": "b", "contoh": True},
            ],
            [square(106.99, -6.13, 0.005), square(107.03, -6.13), square(107.05, -6.125)],
        ),
        "anggota": typed(
            "anggota",
            [
                {
                    "id": "AGT-1",
                    "nama": "BPBD",
                    "sektor": "pemerintah_daerah",
                    "kontak": "Bu Sari",
                    "telepon": "+62 21 555",
                },
                {"id": "AGT-2", "nama": "PT Maju; DROP TABLE x; --'", "sektor": "swasta"},
            ],
            [Point(106.995, -6.125), Point(107.035, -6.125)],
        ),
        "lokasi": typed(
            "lokasi",
            [
                {"id": "L1", "anggota_id": "AGT-1", "nama": "Gudang\tutama\n", "jenis": "gudang"},
                {"id": "L2", "anggota_id": "AGT-2", "nama": "Posko \\ 2", "contoh": True},
            ],
            [Point(106.996, -6.126), Point(107.055, -6.124)],
        ),
        "barang": typed(
            "barang",
            [
                {"kode": "beras", "nama": "Beras", "kategori": "logistik", "satuan": "kg"},
                {
                    "kode": "perahu",
                    "nama": "Perahu karet",
                    "kategori": "peralatan",
                    "satuan": "unit",
                },
            ],
        ),
        "jalan": typed(
            "jalan",
            [
                {"kelas": "primary", "oneway": "yes", "kecepatan": 45.5, "nama": "Jl. Raya"},
                {"kelas": "residential"},
            ],
            [
                MultiLineString([[(107.0, -6.2), (107.01, -6.2)]]),
                MultiLineString(
                    [[(107.01, -6.2), (107.01, -6.21)], [(107.02, -6.21), (107.03, -6.21)]]
                ),
            ],
        ),
        "stok": typed(
            "stok",
            [
                {
                    "lokasi_id": "L1",
                    "barang": "beras",
                    "jumlah": 1000.5,
                    "siap": 500.25,
                    "satuan": "kg",
                    "kondisi": "baik",
                    "kedaluwarsa": "2027-01-31",
                    "dilaporkan": "2026-11-01 08:30:00.123",
                },
                {
                    "lokasi_id": "L1",
                    "barang": "beras",
                    "jumlah": 900.0,
                    "siap": 900.0,
                    "satuan": "kg",
                    "kondisi": "baik",
                    "dilaporkan": "2026-11-01 08:30:00.123",
                },
                {
                    "lokasi_id": "L2",
                    "barang": "perahu",
                    "jumlah": 2.0,
                    "siap": 0.0,
                    "satuan": "unit",
                    "kondisi": "rusak",
                    "dilaporkan": "2026-11-20 23:59:59",
                },
            ],
        ),
    }


def fill(store: Store, frames: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    frames = frames or sample()
    with store.transaction() as tx:
        for name in schema_mod.layer_names():
            assert tx.append(name, frames[name]) == len(frames[name])
    return frames


def expected(frame: pd.DataFrame, start: int = 1) -> pd.DataFrame:
    out = frame.copy()
    out.index = pd.Index(range(start, start + len(frame)), name="fid", dtype="int64")
    return out


def snapshot(store: Store) -> dict[str, object]:
    return {
        **{name: store.read(name) for name in schema_mod.layer_names()},
        "version": store.version(),
        "audit": store.read_audit(),
        "akun": store.accounts(),
    }


def assert_same(a: dict[str, object], b: dict[str, object]) -> None:
    assert a.keys() == b.keys()
    for k, value in a.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, b[k], check_exact=True)  # type: ignore[arg-type]
        else:
            assert value == b[k], k


# -- both backends --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_init_and_exists(backend: str, request: pytest.FixtureRequest, tmp_path) -> None:
    loc = str(tmp_path / "k.gpkg") if backend == "gpkg" else request.getfixturevalue("pg_url")
    s = open_store(loc)
    assert not s.exists()
    with pytest.raises(StoreError, match="belum ada"):
        s.read("kecamatan")
    s.init()
    assert s.exists()
    s.init()  # idempotent
    assert s.version() == 0
    for name in schema_mod.layer_names():
        assert s.count(name) == 0
        assert s.extent(name) is None
        frame = s.read(name)
        assert frame.empty and frame.index.name == "fid"
        assert (
            list(frame.columns[: len(schema_mod.get(name).fields)])
            == schema_mod.get(name).field_names
        )
    assert s.accounts() == [] and s.read_audit().empty


def test_round_trip_every_layer(store: Store) -> None:
    frames = fill(store)
    assert store.version() == 1
    for name in schema_mod.layer_names():
        got = store.read(name)
        pd.testing.assert_frame_equal(got, expected(frames[name]), check_exact=True)
        assert store.count(name) == len(frames[name])
        if schema_mod.get(name).has_geometry:
            assert isinstance(got, gpd.GeoDataFrame) and got.crs.to_epsg() == 4326
            assert store.extent(name) == tuple(shapely.total_bounds(frames[name].geometry.values))
    kec = store.read("kecamatan")
    assert np.isnan(kec["penduduk"].iloc[1]) and kec["kk"].iloc[1] == 0
    assert kec.geometry.iloc[1].geom_type == "MultiPolygon" and len(kec.geometry.iloc[1].geoms) == 2
    assert store.read("anggota").geometry.iloc[0].geom_type == "Point"
    stok = store.read("stok")
    assert stok["dilaporkan"].iloc[0] == pd.Timestamp("2026-11-01 08:30:00.123")
    assert pd.isna(stok["kedaluwarsa"].iloc[1])
    assert store.read("lokasi")["nama"].tolist() == ["Gudang\tutama\n", "Posko \\ 2"]
    assert store.distinct("zona_banjir", "skenario") == {"a", "b"}
    assert store.distinct("stok", "lokasi_id") == {"L1", "L2"}


def test_datetimes_truncate_to_milliseconds_and_polygons_promote(store: Store) -> None:
    frames = sample()
    frames["stok"]["dilaporkan"] = pd.to_datetime(
        ["2026-11-01 08:30:00.123999", "2026-11-01 08:30:00.5", "2026-11-02"], format="ISO8601"
    ).astype("datetime64[ns]")
    fill(store, frames)
    assert store.read("stok")["dilaporkan"].tolist() == [
        pd.Timestamp("2026-11-01 08:30:00.123"),
        pd.Timestamp("2026-11-01 08:30:00.500"),
        pd.Timestamp("2026-11-02"),
    ]
    with store.transaction() as tx:
        zone = typed(
            "zona_banjir", [{"kelas": "rendah", "skenario": "c"}], [box(107, -6.2, 107.1, -6.1)]
        )
        tx.append("zona_banjir", zone)
    last = store.read("zona_banjir").geometry.iloc[-1]
    if isinstance(store, GpkgStore):  # the GeoPackage stores what it gets (import promotes)
        assert last.equals(box(107, -6.2, 107.1, -6.1))
    else:
        assert last.geom_type == "MultiPolygon"


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("gpkg"),
        pytest.param("postgis", marks=pytest.mark.postgis),
    ],
)  # fmt: skip
def test_missing_int_round_trip(backend: str, request: pytest.FixtureRequest, tmp_path) -> None:
    """An unknown ``kk`` (Int64 <NA>, as validation and read() give it) is stored as NULL."""
    loc = str(tmp_path / "k.gpkg") if backend == "gpkg" else request.getfixturevalue("pg_url")
    s = open_store(loc)
    frames = sample()
    frames["kecamatan"]["kk"] = pd.array([40000, None], dtype="Int64")
    fill(s, frames)
    pd.testing.assert_frame_equal(
        s.read("kecamatan"), expected(frames["kecamatan"]), check_exact=True
    )
    assert s.read("kecamatan")["kk"].isna().tolist() == [False, True]


def test_delete_by_field_and_all(store: Store) -> None:
    frames = fill(store)
    with store.transaction() as tx:
        assert tx.delete("zona_banjir", field="skenario", values=["a", "zzz"]) == 2
        assert tx.delete("zona_banjir", field="skenario", values=[]) == 0
        assert tx.delete("stok") == 3
    pd.testing.assert_frame_equal(
        store.read("zona_banjir"), expected(frames["zona_banjir"]).iloc[[2]], check_exact=True
    )
    assert store.count("stok") == 0 and store.version() == 2
    with store.transaction() as tx:  # new rows get new feature ids, after the old ones
        tx.append("stok", frames["stok"])
    assert store.read("stok").index.tolist() == [4, 5, 6]


def test_update_attributes_and_geometry(store: Store) -> None:
    fill(store)
    change = gpd.GeoDataFrame(
        {
            "kode": ["32.16.02", "32.16.99"],
            "penduduk": [5000.0, 1.0],
            "kk": pd.array([7, 8], dtype="Int64"),
        },
        geometry=[square(107.1, -6.2), square(107.2, -6.2)],
        crs=4326,
    )
    with store.transaction() as tx:
        n = tx.update("kecamatan", change, key="kode", columns=["penduduk", "kk", "geometry"])
    assert n == 1  # 32.16.99 matches nothing
    kec = store.read("kecamatan").set_index("kode")
    assert kec.loc["32.16.02", "penduduk"] == 5000.0 and kec.loc["32.16.02", "kk"] == 7
    assert kec.loc["32.16.02", "geometry"].equals(square(107.1, -6.2))
    assert kec.loc["32.16.01", "penduduk"] == 123456.5
    with store.transaction() as tx:  # back to unknown population
        tx.update("kecamatan", pd.DataFrame({"kode": ["32.16.01"], "penduduk": [np.nan]}),
                  key="kode", columns=["penduduk"])  # fmt: skip
    assert store.read("kecamatan")["penduduk"].isna().tolist() == [True, False]


def test_rollback_leaves_everything_unchanged(store: Store) -> None:
    fill(store)
    with store.transaction() as tx:
        tx.audit(AuditEntry("2026-11-27T00:00:00Z", "bpbd", "cli", "impor", "stok", 3, {"x": 1}))
    before = snapshot(store)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as tx:
        tx.delete("kecamatan")
        tx.delete("desa")
        tx.append("stok", sample()["stok"])
        tx.update(
            "anggota",
            pd.DataFrame({"id": ["AGT-1"], "nama": ["X"]}),
            key="id",
            columns=["nama"],
        )
        tx.set_meta("demo", "1")
        tx.save_account(Account("x1", "koordinator", None, None, "2026-11-27T00:00:00Z"))
        tx.audit(AuditEntry("2026-11-27T00:00:01Z", "x1", "cli", "impor"))
        raise Boom
    assert_same(before, snapshot(store))
    assert store.get_meta("demo") is None


def test_version_and_meta(store: Store) -> None:
    assert store.version() == 0 and store.get_meta("demo") is None
    with store.transaction() as tx:
        tx.set_meta("demo", "1")
        tx.set_meta("demo_dibangun", "2026-11-27")
    with store.transaction() as tx:
        tx.set_meta("demo", "0")
    with store.transaction():
        pass  # an empty write still counts: caches keyed by version are merely refreshed
    assert store.version() == 3
    assert (store.get_meta("demo"), store.get_meta("demo_dibangun")) == ("0", "2026-11-27")


def test_accounts_tokens_audit(store: Store) -> None:
    a = Account("bpbd", "koordinator", None, "scrypt$x$y", "2026-11-01T00:00:00Z")
    m = Account("Agt.1", "anggota", "AGT-1", None, "2026-11-02T00:00:00Z", aktif=False)
    with store.transaction() as tx:
        tx.save_account(m)
        tx.save_account(a)
        tx.add_token(Token("abcdef0123" + "0" * 54, "bpbd", "skrip", "2026-11-03T00:00:00Z"))
        tx.add_token(Token("abcdef9999" + "1" * 54, "bpbd", None, "2026-11-03T00:00:00Z"))
        for i in range(3):
            tx.audit(AuditEntry(f"2026-11-0{i + 1}T00:00:00Z", "bpbd", "cli", "akun", None, i,
                                {"akun": "bpbd", "ü": [i, None]}))  # fmt: skip
    assert store.accounts() == [m, a]  # binary order: upper case first, as in SQLite
    assert store.account("bpbd") == a and store.account("nobody") is None
    with store.transaction() as tx:
        tx.save_account(Account("bpbd", "koordinator", None, "scrypt$new", "ignored", aktif=False))
        assert tx.revoke_token("abcdef01", "2026-11-04T00:00:00Z") == 1
        assert tx.revoke_token("abcdef01", "2026-11-05T00:00:00Z") == 0  # already revoked
    changed = store.account("bpbd")
    assert changed is not None and changed.sandi_hash == "scrypt$new" and not changed.aktif
    assert changed.dibuat == a.dibuat  # creation time stays
    tok = store.token("abcdef0123" + "0" * 54)
    assert tok is not None and tok.dicabut == "2026-11-04T00:00:00Z" and tok.label == "skrip"
    assert store.token("abcdef9999" + "1" * 54).dicabut is None  # type: ignore[union-attr]
    log = store.read_audit()
    assert log.columns.tolist() == [
        "id",
        "waktu",
        "akun",
        "saluran",
        "aksi",
        "lapisan",
        "jumlah",
        "rincian",
    ]
    assert log["id"].tolist() == [3, 2, 1] and log["jumlah"].tolist() == [2, 1, 0]
    assert log["rincian"].iloc[0] == '{"akun": "bpbd", "ü": [2, null]}'
    assert len(store.read_audit(limit=2)) == 2


def test_features_default_paging(store: Store) -> None:
    frames = fill(store)
    page, matched = store.features("lokasi", limit=1, offset=1)
    assert matched == 2 and page.index.tolist() == [2]
    pd.testing.assert_frame_equal(page, expected(frames["lokasi"]).iloc[[1]], check_exact=True)
    page, matched = store.features("stok", limit=2)
    assert matched == 3 and len(page) == 2
    with pytest.raises(ValueError):
        store.features("stok", bbox=(0, 0, 1, 1))


# -- features: the PostGIS query and the in-memory default give the same pages --------------------


@pytest.mark.postgis
def test_features_bbox_and_paging_equal_on_both_backends(tmp_path, pg_url: str) -> None:
    rng = np.random.default_rng(7)
    n = 300
    xs, ys = rng.uniform(106.9, 107.3, n), rng.uniform(-6.5, -6.0, n)
    anggota = typed("anggota", [{"id": f"A{i:03d}", "nama": f"a{i}", "sektor": "komunitas"} for i in range(n)],
                    [Point(x, y) for x, y in zip(xs, ys, strict=True)])  # fmt: skip
    cells = [
        Polygon([(x, y), (x + 0.03, y), (x + 0.03, y + 0.02)]) for x, y in zip(xs, ys, strict=True)
    ]
    zona = typed("zona_banjir", [{"kelas": "sedang", "skenario": "s"} for _ in range(n)],
                 [MultiPolygon([c]) for c in cells])  # fmt: skip
    stores = [GpkgStore(tmp_path / "k.gpkg"), open_store(pg_url)]
    for s in stores:
        with s.transaction() as tx:
            tx.append("anggota", anggota)
            tx.append("zona_banjir", zona)
    cases = [
        {"bbox": (107.0, -6.3, 107.1, -6.2)},
        {"bbox": (107.0, -6.3, 107.1, -6.2), "limit": 5, "offset": 3},
        {"bbox": (106.0, -7.0, 108.0, -5.0), "limit": 50, "offset": 250},
        {"bbox": (110.0, 0.0, 111.0, 1.0)},
        {"limit": 10, "offset": 295},
        {"limit": 0},
        {},
    ]
    for layer in ("anggota", "zona_banjir"):
        for case in cases:
            (a, na), (b, nb) = (s.features(layer, **case) for s in stores)  # type: ignore[arg-type]
            assert na == nb, (layer, case)
            pd.testing.assert_frame_equal(a, b, check_exact=True)
    edge = (float(xs[0]), float(ys[0]), 107.4, -5.9)  # a point on the bbox's corner intersects
    assert (
        stores[1].features("anggota", bbox=edge)[1] == stores[0].features("anggota", bbox=edge)[1]
    )


# -- PostGIS: the database's own constraints -----------------------------------------------------


@pytest.fixture
def pg_store(pg_url: str) -> Store:
    s = open_store(pg_url)
    s.init()
    fill(s)
    return s


def rejected(store: Store, write, match: str) -> None:
    before = snapshot(store)
    with pytest.raises(StoreError, match=match), store.transaction() as tx:
        write(tx)
    assert_same(before, snapshot(store))


@pytest.mark.postgis
def test_constraints_reject_bad_rows_at_the_database(pg_store: Store) -> None:
    stok = sample()["stok"].iloc[[0]].copy()

    def with_(**values: object) -> pd.DataFrame:
        out = stok.copy()
        for k, v in values.items():
            out[k] = v
        return out

    rejected(
        pg_store, lambda tx: tx.append("stok", with_(jumlah=-1.0, siap=0.0)), "stok_jumlah_min"
    )
    rejected(
        pg_store, lambda tx: tx.append("stok", with_(jumlah=5.0, siap=6.0)), "stok_siap_le_jumlah"
    )
    rejected(pg_store, lambda tx: tx.append("stok", with_(siap=-0.5)), "stok_siap_min")
    rejected(pg_store, lambda tx: tx.append("stok", with_(kondisi="hilang")), "stok_kondisi_enum")
    rejected(pg_store, lambda tx: tx.append("stok", with_(lokasi_id="NOPE")), "stok_lokasi_id_fkey")
    rejected(pg_store, lambda tx: tx.append("stok", with_(barang="emas")), "stok_barang_fkey")
    rejected(pg_store, lambda tx: tx.append("stok", with_(dilaporkan=pd.NaT)), "dilaporkan")
    zona = sample()["zona_banjir"].iloc[[0]].copy()
    zona["indeks"] = 1.5
    rejected(pg_store, lambda tx: tx.append("zona_banjir", zona), "zona_banjir_indeks_max")
    kec = sample()["kecamatan"].iloc[[0]].copy()
    rejected(pg_store, lambda tx: tx.append("kecamatan", kec), "kecamatan_kode_key")
    kec["kode"] = "32.16.1"
    rejected(pg_store, lambda tx: tx.append("kecamatan", kec), "kecamatan_kode_pola")
    # deleting a referenced row: refused at commit
    rejected(
        pg_store,
        lambda tx: tx.delete("kecamatan", field="kode", values=["32.16.01"]),
        "desa_kode_fkey",
    )
    rejected(pg_store, lambda tx: tx.delete("lokasi"), "stok_lokasi_id_fkey")
    rejected(
        pg_store,
        lambda tx: tx.add_token(Token("ff" * 32, "nobody", None, "x")),
        "klaster_token_akun_fkey",
    )
    assert pg_store.version() == 1


@pytest.mark.postgis
def test_replace_inside_one_transaction_passes_deferred_references(pg_store: Store) -> None:
    frames = sample()
    with pg_store.transaction() as tx:  # a `replace` import of lokasi: delete all, insert again
        tx.delete("lokasi")
        tx.append("lokasi", frames["lokasi"])
        tx.delete("kecamatan")
        tx.append("kecamatan", frames["kecamatan"])
    assert pg_store.count("lokasi") == 2 and pg_store.count("stok") == 3
    assert pg_store.read("lokasi").index.tolist() == [3, 4]


@pytest.mark.postgis
def test_open_store_urls(postgis_url: str) -> None:
    from geo_klaster.store.postgis import PostgisStore, parse_url

    assert isinstance(open_store(postgis_url), PostgisStore)
    assert isinstance(open_store(postgis_url.replace("postgresql://", "postgres://")), PostgisStore)
    conninfo, schema, display = parse_url(
        "postgresql://u:s3cret@db.example:5433/k?schema=bekasi&sslmode=require"
    )
    assert schema == "bekasi" and "schema" not in conninfo and "sslmode=require" in conninfo
    assert "s3cret" not in display and display.startswith("postgresql://u:***@db.example:5433/k")
    assert parse_url("postgresql://h/db")[1] == "public"
    with pytest.raises(StoreError, match="skema"):
        open_store("postgresql://h/db?schema=Bad-Name")
    with pytest.raises(StoreError, match="terhubung"):
        open_store("postgresql://nobody@127.0.0.1:1/nodb").exists()


@pytest.mark.postgis
def test_schema_has_gist_indexes_and_deferred_foreign_keys(
    pg_store: Store, pg_conn: psycopg.Connection
) -> None:
    schema = pg_store.schema  # type: ignore[attr-defined]
    rows = pg_conn.execute(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE '%%gist%%'",
        (schema,),
    ).fetchall()
    assert {r[0] for r in rows} == {
        "kecamatan",
        "desa",
        "zona_banjir",
        "anggota",
        "lokasi",
        "jalan",
    }
    fks = pg_conn.execute(
        "SELECT conname, condeferrable, condeferred FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s AND contype = 'f'",
        (schema,),
    ).fetchall()
    assert {r[0] for r in fks} >= {
        "desa_kode_fkey",
        "lokasi_anggota_id_fkey",
        "stok_lokasi_id_fkey",
        "stok_barang_fkey",
    }
    assert all(r[1] and r[2] for r in fks)
    types = dict(pg_conn.execute(
        "SELECT f_table_name, type FROM geometry_columns WHERE f_table_schema = %s", (schema,)
    ).fetchall())  # fmt: skip
    assert types == {"kecamatan": "MULTIPOLYGON", "desa": "MULTIPOLYGON", "zona_banjir": "MULTIPOLYGON",
                     "anggota": "POINT", "lokasi": "POINT", "jalan": "MULTILINESTRING"}  # fmt: skip


# -- the version read per web request -------------------------------------------------------------


def test_concurrent_version_reads_share_one_that_started_after_them() -> None:
    """PostgisStore.version(): callers arriving while a read runs wait for the next one (it
    may miss a write they must see) and share it; a failed read answers no one."""
    from geo_klaster.store.postgis import _SharedReads

    calls: list[int] = []
    release = threading.Event()
    failures = [False]

    def read() -> int:
        calls.append(len(calls) + 1)
        n = len(calls)
        if n == 1:
            release.wait(10)
        if failures[0]:
            failures[0] = False
            raise RuntimeError("lost connection")
        return n

    shared = _SharedReads(read)
    first: list[int] = []
    a = threading.Thread(target=lambda: first.append(shared.read()))
    a.start()
    while not calls:
        time.sleep(0.001)
    later: list[int] = []
    crowd = [threading.Thread(target=lambda: later.append(shared.read())) for _ in range(5)]
    for t in crowd:
        t.start()
    time.sleep(0.05)
    assert len(calls) == 1  # the crowd waits for the running read to end ...
    release.set()
    for t in [a, *crowd]:
        t.join(10)
    assert first == [1] and later == [2] * 5 and len(calls) == 2  # ... then shares read 2
    failures[0] = True
    with pytest.raises(RuntimeError):
        shared.read()
    assert shared.read() == 4  # read 3 failed: the next caller reads again


@pytest.mark.postgis
def test_version_under_concurrent_readers_never_misses_a_committed_write(pg_url: str) -> None:
    writer = open_store(pg_url)
    writer.init()
    reader = open_store(pg_url)
    committed = [writer.version()]
    stale: list[tuple[int, int]] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            floor = committed[-1]  # committed before this call
            seen = reader.version()
            if seen < floor:
                stale.append((seen, floor))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for _ in range(30):
        with writer.transaction():
            pass
        committed.append(writer.version())
    stop.set()
    for t in threads:
        t.join(10)
    assert not stale and committed[-1] == committed[0] + 30
    assert reader.version() == committed[-1]
