"""Tests of the demo regency builder (geo_klaster.demo.build.build_demo)."""

from __future__ import annotations

import datetime as dt
import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_klaster.demo import build as demo

TODAY = dt.date(2025, 6, 1)
METRIC = "EPSG:32748"
SECTORS = {"pemerintah_daerah", "swasta", "komunitas", "instansi_pusat"}
MINIMUM_NEEDS_UNITS = {
    "beras": "kg",
    "air_minum": "liter",
    "air_bersih": "liter",
    "paket_keluarga": "paket",
    "toilet": "unit",
}


@pytest.fixture(scope="module")
def layers_today() -> dict[str, pd.DataFrame]:
    return demo.build_demo(TODAY)


@pytest.fixture(scope="module")
def gazetir() -> pd.DataFrame:
    return demo.read_gazetir()


def _expired(stok: pd.DataFrame, today: dt.date) -> pd.Series:
    return stok["kedaluwarsa"].map(lambda d: d is not None and not pd.isna(d) and d < today)


def test_layer_set_and_fields(layers_today):
    expected = {
        "kecamatan": ["kode", "nama", "penduduk", "kk", "sumber_penduduk", "keterangan", "contoh"],
        "zona_banjir": ["kelas", "indeks", "skenario", "sumber", "keterangan", "contoh"],
        "anggota": ["id", "nama", "sektor", "kontak", "telepon", "contoh"],
        "lokasi": ["id", "anggota_id", "nama", "jenis", "contoh"],
        "stok": [
            "lokasi_id",
            "barang",
            "jumlah",
            "siap",
            "satuan",
            "kondisi",
            "kedaluwarsa",
            "dilaporkan",
            "contoh",
        ],
        "barang": ["kode", "nama", "kategori", "satuan", "bulat"],
    }
    assert set(layers_today) == set(expected)
    for name, fields in expected.items():
        df = layers_today[name]
        if name in ("stok", "barang"):
            assert not isinstance(df, gpd.GeoDataFrame)
            assert list(df.columns) == fields
        else:
            assert isinstance(df, gpd.GeoDataFrame)
            assert df.crs.to_epsg() == 4326
            assert [c for c in df.columns if c != df.geometry.name] == fields
    assert layers_today["anggota"].geometry.geom_type.eq("Point").all()
    assert layers_today["lokasi"].geometry.geom_type.eq("Point").all()
    assert layers_today["kecamatan"].geometry.geom_type.eq("MultiPolygon").all()
    assert layers_today["zona_banjir"].geometry.geom_type.eq("MultiPolygon").all()


def test_kecamatan_match_gazetteer(layers_today, gazetir):
    kec = layers_today["kecamatan"]
    assert len(kec) == 23
    assert list(kec["kode"]) == list(gazetir["kode"])
    assert list(kec["nama"]) == list(gazetir["nama"])
    assert kec["kode"].str.fullmatch(r"32\.16\.\d{2}").all()
    assert kec["contoh"].all()
    assert kec["keterangan"].eq(demo.KETERANGAN_PERKIRAAN).all()
    assert kec["penduduk"].between(50_000, 350_000).all()
    assert (kec["kk"] == (kec["penduduk"] / 3.8).round().astype("int64")).all()
    assert kec["sumber_penduduk"].eq(demo.SUMBER_PENDUDUK_DEMO).all()


def test_approximate_kecamatan_geometry(layers_today, gazetir):
    kec = layers_today["kecamatan"].to_crs(METRIC)
    total_km2 = kec.area.sum() / 1e6
    assert 1_100 <= total_km2 <= 1_400
    pts = gpd.GeoSeries(gpd.points_from_xy(gazetir["lon"], gazetir["lat"]), crs=4326).to_crs(METRIC)
    for geom, pt in zip(kec.geometry, pts, strict=True):
        assert geom.contains(pt)
    # a partition: no overlaps between neighbours
    for a, b in itertools.combinations(kec.geometry, 2):
        assert a.intersection(b).area < 1.0


def test_all_geometries_valid_and_in_bekasi(layers_today):
    for name in ("kecamatan", "zona_banjir", "anggota", "lokasi"):
        gdf = layers_today[name]
        assert gdf.is_valid.all(), name
        assert gdf.to_crs(METRIC).is_valid.all(), name
        minx, miny, maxx, maxy = gdf.total_bounds
        assert 106.9 <= minx and maxx <= 107.4, name
        assert -6.6 <= miny and maxy <= -5.9, name


def test_members(layers_today):
    agt = layers_today["anggota"]
    assert len(agt) >= 40
    assert agt["id"].is_unique
    assert agt["id"].str.fullmatch(r"AGT-\d{3}").all()
    counts = agt["sektor"].value_counts()
    assert set(counts.index) == SECTORS
    assert (counts >= 8).all()
    assert agt["nama"].str.endswith(" (contoh)").all()
    assert agt["telepon"].str.startswith("0800-0000-").all()
    assert agt["kontak"].notna().all()
    assert agt["contoh"].all()
    assert "kode" not in agt.columns


def test_offices_near_their_gazetteer_point(gazetir):
    agt_csv = demo.read_anggota()
    assert set(agt_csv["kode"]) <= set(gazetir["kode"])
    agt = demo.build_demo(TODAY)["anggota"].to_crs(METRIC)
    g = gazetir.set_index("kode")
    ref = gpd.GeoSeries(
        gpd.points_from_xy(g.loc[agt_csv["kode"], "lon"], g.loc[agt_csv["kode"], "lat"]), crs=4326
    ).to_crs(METRIC)
    dist = agt.geometry.reset_index(drop=True).distance(ref.reset_index(drop=True))
    assert (dist <= 2_100).all()


def test_sites(layers_today):
    lok = layers_today["lokasi"]
    agt = layers_today["anggota"]
    assert len(lok) >= 80
    assert lok["id"].is_unique
    assert lok["id"].str.fullmatch(r"LOK-\d{3}").all()
    assert set(lok["anggota_id"]) <= set(agt["id"])
    per_member = lok.groupby("anggota_id").size()
    assert per_member.between(1, 3).all()
    assert set(per_member.index) == set(agt["id"])
    assert lok["jenis"].isin(["gudang", "posko", "kantor", "pangkalan", "lainnya"]).all()
    assert lok["nama"].str.endswith(" (contoh)").all()
    assert lok["contoh"].all()
    # within ~4 km of the member's office
    off = agt.set_index("id").to_crs(METRIC).geometry
    lm = lok.to_crs(METRIC)
    dist = [geom.distance(off[a]) for geom, a in zip(lm.geometry, lm["anggota_id"], strict=True)]
    assert max(dist) <= 4_100
    # many in the south and centre
    assert (lok.geometry.y < -6.2).sum() >= 30


def test_some_sites_in_the_north_flood(layers_today):
    z = layers_today["zona_banjir"]
    ut = z[z["skenario"] == "latihan_banjir_utara"][["kelas", "geometry"]]
    joined = gpd.sjoin(layers_today["lokasi"], ut, predicate="within")
    assert len(joined) >= 5
    assert (joined["kelas"] == "tinggi").sum() >= 1


def test_stock_lines(layers_today):
    stok = layers_today["stok"]
    barang = layers_today["barang"]
    lok = layers_today["lokasi"]
    assert len(stok) >= 500
    assert set(stok["barang"]) == set(barang["kode"])
    assert set(stok["lokasi_id"]) <= set(lok["id"])
    assert (stok["siap"] <= stok["jumlah"]).all()
    assert (stok["siap"] >= 0).all()
    units = dict(zip(barang["kode"], barang["satuan"], strict=True))
    assert (stok["satuan"] == stok["barang"].map(units)).all()
    assert stok["kondisi"].isin(["baik", "rusak"]).all()
    assert stok["contoh"].all()
    assert pd.api.types.is_datetime64_any_dtype(stok["dilaporkan"])
    assert stok["dilaporkan"].dt.tz is None
    n_rusak = (stok["kondisi"] == "rusak").sum()
    assert 0 < n_rusak <= 0.1 * len(stok)
    n_exp = _expired(stok, TODAY).sum()
    assert 0 < n_exp <= 0.1 * len(stok)
    # equipment carries no expiry date
    peralatan = set(barang.loc[barang["kategori"] == "peralatan", "kode"])
    assert stok.loc[stok["barang"].isin(peralatan), "kedaluwarsa"].isna().all()


def test_catalogue(layers_today):
    barang = layers_today["barang"]
    assert barang["kode"].is_unique
    assert barang["kode"].str.fullmatch(r"[a-z0-9_]+").all()
    assert barang["kategori"].isin(["logistik", "peralatan"]).all()
    units = dict(zip(barang["kode"], barang["satuan"], strict=True))
    for code, unit in MINIMUM_NEEDS_UNITS.items():
        assert units[code] == unit
    assert units["obat"] == "paket"
    for code in ("perahu_karet", "pompa_air", "genset", "truk", "mobil_tangki_air"):
        assert barang.set_index("kode").loc[code, "kategori"] == "peralatan"


def test_history_and_staleness(layers_today):
    stok = layers_today["stok"].merge(
        layers_today["lokasi"][["id", "anggota_id"]], left_on="lokasi_id", right_on="id"
    )
    now = pd.Timestamp(TODAY)
    latest = stok.groupby("anggota_id")["dilaporkan"].max()
    age_days = (now - latest) / pd.Timedelta(days=1)
    assert (latest <= now).all()
    assert (age_days > 30).sum() >= 4
    assert (age_days <= 25).sum() > len(latest) / 2
    # history: several sites reported the same item more than once
    reports = stok.groupby(["lokasi_id", "barang"])["dilaporkan"].nunique()
    assert (reports >= 2).sum() >= 20
    assert stok.groupby("lokasi_id")["dilaporkan"].nunique().max() >= 3


def test_dates_are_relative_to_today(layers_today):
    shift = 100
    later = demo.build_demo(TODAY + dt.timedelta(days=shift))
    a, b = layers_today["stok"], later["stok"]
    assert len(a) == len(b)
    delta = (b["dilaporkan"] - a["dilaporkan"]).unique()
    assert list(delta) == [pd.Timedelta(days=shift)]
    exp_a = a["kedaluwarsa"].dropna()
    exp_b = b["kedaluwarsa"].dropna()
    assert list(exp_a.index) == list(exp_b.index)
    assert all(y - x == dt.timedelta(days=shift) for x, y in zip(exp_a, exp_b, strict=True))
    cols = ["lokasi_id", "barang", "jumlah", "siap", "satuan", "kondisi"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert _expired(a, TODAY).sum() == _expired(b, TODAY + dt.timedelta(days=shift)).sum()


def test_deterministic():
    a = demo.build_demo(TODAY)
    b = demo.build_demo(TODAY)
    for name in a:
        pd.testing.assert_frame_equal(pd.DataFrame(a[name]), pd.DataFrame(b[name]))
    c = demo.build_demo(TODAY, seed=7)
    assert not a["stok"]["jumlah"].equals(c["stok"]["jumlah"])


def test_flood_scenarios(layers_today):
    z = layers_today["zona_banjir"]
    assert set(z["skenario"]) == {"latihan_banjir_utara", "latihan_kali_bekasi"}
    assert z["kelas"].isin(["rendah", "sedang", "tinggi"]).all()
    assert z["contoh"].all()
    assert z["keterangan"].str.contains("Skenario latihan fiktif, bukan data banjir nyata").all()
    lo = z["kelas"].map({"rendah": 0.0, "sedang": 1 / 3, "tinggi": 2 / 3})
    hi = z["kelas"].map({"rendah": 1 / 3, "sedang": 2 / 3, "tinggi": 1.0001})
    assert ((z["indeks"] >= lo) & (z["indeks"] < hi)).all()
    zm = z.to_crs(METRIC)
    for _, group in zm.groupby("skenario"):
        geoms = dict(zip(group["kelas"], group.geometry, strict=True))
        for a, b in itertools.combinations(geoms, 2):
            assert geoms[a].intersection(geoms[b]).area < 1.0, (a, b)


def test_flood_file_is_rfc7946():
    import json

    path = demo._demo_dir() / "zona_banjir_latihan.geojson"
    assert path.stat().st_size < 150_000
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc
    for feat in fc["features"]:
        geom = shapely.geometry.shape(feat["geometry"])
        for poly in getattr(geom, "geoms", [geom]):
            assert poly.exterior.is_ccw
            coords = np.asarray(poly.exterior.coords)
            assert np.allclose(coords, np.round(coords, 6), rtol=0, atol=1e-12)


def test_north_scenario_floods_several_kecamatan(layers_today):
    kec = layers_today["kecamatan"].to_crs(METRIC)[["kode", "nama", "geometry"]]
    kec["luas"] = kec.area
    z = layers_today["zona_banjir"]
    ut = z[z["skenario"] == "latihan_banjir_utara"].to_crs(METRIC).explode(ignore_index=True)
    ov = gpd.overlay(kec, ut[["kelas", "geometry"]], how="intersection", keep_geom_type=True)
    ov["a"] = ov.area
    share = (ov.groupby("kode")["a"].sum() / kec.set_index("kode")["luas"]).fillna(0.0)
    flooded = share[share >= 0.05]
    assert len(flooded) >= 6
    names = set(kec.set_index("kode").loc[flooded.index, "nama"])
    assert {"Muaragembong", "Babelan", "Cabangbungin"} <= names
    # the south stays dry in this scenario
    assert share["32.16.23"] < 0.01


def test_official_geometry_is_used():
    approx = demo.approximate_kecamatan()
    given = approx.copy()
    given["geometry"] = given.geometry.buffer(0)  # stands in for official boundaries
    given["penduduk"] = [1000.0] + [np.nan] * (len(given) - 1)
    layers = demo.build_demo(TODAY, kecamatan=given)
    kec = layers["kecamatan"]
    assert not kec["contoh"].any()
    assert kec["keterangan"].isna().all()
    assert kec.loc[0, "penduduk"] == 1000.0
    assert kec.loc[1, "penduduk"] == demo.demo_population().loc[1, "penduduk"]
    assert kec.geometry.geom_type.eq("MultiPolygon").all()
    # the rest of the demo does not depend on the geometry
    base = demo.build_demo(TODAY)
    pd.testing.assert_frame_equal(layers["stok"], base["stok"])
