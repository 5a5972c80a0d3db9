"""The whole analysis from layers: hand-checkable cases, invariants, outputs, real boundaries."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from invariants import assert_allocation_invariants

from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.errors import NotFoundError
from geo_klaster.results import hasil
from geo_klaster.results.outputs import BERKAS, write_outputs

UTM = "EPSG:32748"
X0, Y0 = 720_000, 9_300_000
KM = 1000.0
TODAY = dt.date(2025, 1, 10)


def at(x: float, y: float) -> shapely.Point:
    return shapely.Point(X0 + x * KM, Y0 + y * KM)


def box_km(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0 * KM, Y0 + y0 * KM, X0 + x1 * KM, Y0 + y1 * KM)


def layer(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    """Built in UTM 48S, delivered in EPSG:4326 like every stored layer."""
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=UTM).to_crs(4326)


def stok(*rows: tuple) -> pd.DataFrame:
    """Lines (lokasi_id, barang, siap, kondisi, kedaluwarsa, dilaporkan); jumlah = siap."""
    df = pd.DataFrame(
        rows, columns=["lokasi_id", "barang", "siap", "kondisi", "kedaluwarsa", "dilaporkan"]
    )
    df["jumlah"] = df["siap"]
    df["satuan"] = df["barang"].map({"beras": "kg", "air_minum": "liter", "tenda": "unit"})
    df["kedaluwarsa"] = pd.to_datetime(df["kedaluwarsa"])
    df["dilaporkan"] = pd.to_datetime(df["dilaporkan"], utc=True)
    return df


BARANG = pd.DataFrame(
    {
        "kode": ["beras", "air_minum", "tenda"],
        "nama": ["Beras", "Air minum", "Tenda"],
        "kategori": ["logistik", "logistik", "logistik"],
        "satuan": ["kg", "liter", "unit"],
    }
)


def two_kecamatan(**stock_rows) -> dict[str, pd.DataFrame]:
    """Two 10 km squares, each half flooded (rendah), 10,000 people each → 50 displaced each.

    West ``32.16.19`` spans x 0–10 km, east ``32.16.20`` x 10–20 km. A warehouse ``gudang``
    sits 2 km west of the west square (12 km from the east one).
    """
    kec = layer(
        [
            {"kode": "32.16.19", "nama": "Barat", "penduduk": 10_000.0},
            {"kode": "32.16.20", "nama": "Timur", "penduduk": 10_000.0},
        ],
        [box_km(0, 0, 10, 10), box_km(10, 0, 20, 10)],
    )
    zona = layer(
        [{"kelas": "rendah", "skenario": "latihan"}, {"kelas": "rendah", "skenario": "latihan"}],
        [box_km(0, 0, 5, 10), box_km(15, 0, 20, 10)],
    )
    lokasi = layer([{"id": "gudang", "anggota_id": "BPBD", "nama": "Gudang BPBD"}], [at(-2, 5)])
    anggota = layer(
        [{"id": "BPBD", "nama": "BPBD Kab. Bekasi", "sektor": "pemerintah_daerah"}], [at(-2, 6)]
    )
    return {
        "kecamatan": kec,
        "zona_banjir": zona,
        "lokasi": lokasi,
        "anggota": anggota,
        "stok": stok(*stock_rows.get("rows", ())),
        "barang": BARANG,
    }


def test_hand_checkable_case_and_short_shared_warehouse() -> None:
    # 200 kg for two kecamatan that need 140 kg each: fair shares, 100 kg each (200/280 =
    # 71 % of each need). (The first version gave the nearer one 140 and the other 60.)
    layers = two_kecamatan(rows=[("gudang", "beras", 200.0, "baik", None, "2025-01-05")])
    start = time.perf_counter()
    res = run_analysis(layers, today=TODAY)
    assert time.perf_counter() - start < 5
    kec = res.kecamatan.set_index("kode")
    assert kec.loc["32.16.19", "luas_banjir_m2"] == pytest.approx(50_000_000, rel=1e-3)
    assert kec.loc["32.16.19", "pengungsi"] == pytest.approx(50, rel=1e-3)
    assert res.kecamatan.crs.to_epsg() == 4326 and res.crs_metrik.to_epsg() == 32748
    reach = res.jangkauan.set_index("kode")["jarak_m"]
    assert reach["32.16.19"] == pytest.approx(2000, abs=1)
    assert reach["32.16.20"] == pytest.approx(12000, abs=1)
    gap = res.gap.set_index(["kode", "barang"])
    assert gap.loc[("32.16.19", "beras"), "kebutuhan"] == pytest.approx(140, rel=1e-3)
    assert gap.loc[("32.16.19", "beras"), "teralokasi"] == pytest.approx(100, rel=1e-9)
    assert gap.loc[("32.16.20", "beras"), "teralokasi"] == pytest.approx(100, rel=1e-9)
    assert gap.loc[("32.16.20", "beras"), "terjangkau"] == 200  # per kecamatan, by design
    east = gap.loc[("32.16.20", "beras")]
    assert east["kekurangan"] == east["kebutuhan"] - east["teralokasi"]  # ≈ 40 kg
    assert gap.loc[("32.16.20", "beras"), "alasan"] == (
        "stok yang sama juga terjangkau Barat; dibagi adil menurut porsi kebutuhan "
        "(71 % kebutuhan terpenuhi)"
    )
    assert bool(gap.loc[("32.16.20", "beras"), "berisiko"])
    assert res.alokasi["jumlah"].sum() == pytest.approx(200)
    assert set(res.alokasi.geom_type) == {"LineString"}
    assert_allocation_invariants(res)
    summary = res.summary()
    assert summary["kecamatan_berisiko"] == 2
    assert summary["pengungsi"] == pytest.approx(100, rel=1e-3)


def test_expired_damaged_and_unready_lines_are_never_allocated() -> None:
    layers = two_kecamatan(
        rows=[
            ("gudang", "beras", 500.0, "baik", "2025-01-09", "2025-01-05"),  # expired yesterday
            ("gudang", "air_minum", 500.0, "rusak", None, "2025-01-05"),
            ("gudang", "tenda", 0.0, "baik", None, "2025-01-05"),  # held but not siap
        ]
    )
    res = run_analysis(layers, today=TODAY)
    assert res.alokasi.empty
    assert (res.gap["terjangkau"] == 0).all()
    assert_allocation_invariants(res)


def test_flood_policy_and_stale_members() -> None:
    layers = two_kecamatan()
    layers["lokasi"] = layer(
        [
            {"id": "tinggi", "anggota_id": "PMI", "nama": "Posko PMI"},
            {"id": "sedang", "anggota_id": "PMI", "nama": "Gudang PMI"},
            {"id": "kering", "anggota_id": "PT", "nama": "Gudang PT"},
        ],
        [at(1, 1), at(3, 3), at(8, 8)],
    )
    layers["zona_banjir"] = pd.concat(
        [
            layers["zona_banjir"],
            layer(
                [
                    {"kelas": "tinggi", "skenario": "latihan"},
                    {"kelas": "sedang", "skenario": "latihan"},
                ],
                [box_km(0, 0, 2, 2), box_km(2, 2, 4, 4)],
            ),
        ],
        ignore_index=True,
    )
    layers["stok"] = stok(
        ("tinggi", "beras", 1000.0, "baik", None, "2025-01-05"),
        ("sedang", "air_minum", 100.0, "baik", None, "2025-01-05"),
        ("kering", "tenda", 3.0, "baik", None, "2024-10-01"),  # PT last reported in October
    )
    res = run_analysis(layers, today=TODAY)
    sites = res.lokasi.set_index("lokasi_id")
    assert sites.loc["tinggi", "kelas_banjir"] == "tinggi"
    assert sites.loc["tinggi", "status_stok"] == "tidak_tersedia"
    assert sites.loc["sedang", "status_stok"] == "berisiko"
    assert sites.loc["kering", "kelas_banjir"] == "" and sites.loc["kering", "usang"]
    alloc = res.alokasi.set_index("lokasi_id")
    assert "tinggi" not in alloc.index  # policy: tinggi stock is not allocated
    assert (alloc.loc[["sedang"], "status_stok"] == "berisiko").all()  # counts, flagged
    assert alloc.loc[["kering"], "usang"].all()  # stale stock counts, flagged
    assert alloc.loc[["kering"], "jumlah"].sum() > 0
    assert_allocation_invariants(res)


def test_sites_on_a_zone_corner_are_flooded_and_those_beside_its_box_dry() -> None:
    """Only sites within a flood part's bounding box get a metric point for the flood test.
    The box's edges count: a diamond's four tips each touch one edge of its box, and a site on
    a tip is in the zone; a site a millimetre beyond a tip and one far away are dry."""
    layers = two_kecamatan()
    diamond = shapely.Polygon([at(11, 5), at(12, 4), at(13, 5), at(12, 6)])
    layers["zona_banjir"] = pd.concat(
        [layers["zona_banjir"], layer([{"kelas": "tinggi", "skenario": "latihan"}], [diamond])],
        ignore_index=True,
    )
    tips = {"barat": at(11, 5), "selatan": at(12, 4), "timur": at(13, 5), "utara": at(12, 6)}
    other = {"luar": at(13.000001, 5), "tengah": at(2.5, 5), "jauh": at(-40, 5)}
    sites = {**tips, **other}
    layers["lokasi"] = layer(
        [{"id": k, "anggota_id": "BPBD", "nama": k} for k in sites], list(sites.values())
    )
    res = run_analysis(layers, today=TODAY)
    kelas = res.lokasi.set_index("lokasi_id")["kelas_banjir"].to_dict()
    assert kelas == {**dict.fromkeys(tips, "tinggi"), "luar": "", "tengah": "rendah", "jauh": ""}
    # the reach uses every site in the metric CRS: all but the one 40 km away
    assert set(res.jangkauan["lokasi_id"]) == set(sites) - {"jauh"}


def test_unknown_population_gives_unknown_needs_not_zero() -> None:
    layers = two_kecamatan(rows=[("gudang", "beras", 200.0, "baik", None, "2025-01-05")])
    layers["kecamatan"].loc[1, "penduduk"] = np.nan
    res = run_analysis(layers, today=TODAY)
    kec = res.kecamatan.set_index("kode")
    assert np.isnan(kec.loc["32.16.20", "pengungsi"]) and kec.loc["32.16.20", "berisiko"]
    east = res.gap[res.gap["kode"] == "32.16.20"]
    assert east["kebutuhan"].isna().all() and east["kekurangan"].isna().all()
    assert (east["teralokasi"] == 0).all()
    assert res.summary()["pengungsi_tidak_diketahui"] == 1
    assert_allocation_invariants(res)


def test_desa_population_is_used_when_present() -> None:
    layers = two_kecamatan()
    layers["desa"] = layer(
        [
            {
                "kode_desa": "32.16.19.2001",
                "kode": "32.16.19",
                "nama_desa": "a",
                "penduduk": 2000.0,
            },
            {
                "kode_desa": "32.16.19.2002",
                "kode": "32.16.19",
                "nama_desa": "b",
                "penduduk": 8000.0,
            },
        ],
        [box_km(0, 0, 5, 10), box_km(5, 0, 10, 10)],
    )
    kec = run_analysis(layers, today=TODAY).kecamatan.set_index("kode")
    assert kec.loc["32.16.19", "terdampak"] == pytest.approx(2000, rel=1e-3)
    assert kec.loc["32.16.20", "terdampak"] == pytest.approx(5000, rel=1e-3)


def test_scenarios_are_chosen_by_name() -> None:
    layers = two_kecamatan()
    other = layers["zona_banjir"].assign(skenario="2020")
    layers["zona_banjir"] = pd.concat([layers["zona_banjir"], other], ignore_index=True)
    assert run_analysis(layers, today=TODAY).skenario == "2020"  # first sorted
    assert run_analysis(layers, skenario="latihan", today=TODAY).skenario == "latihan"
    with pytest.raises(NotFoundError, match="2020, latihan"):
        run_analysis(layers, skenario="2007", today=TODAY)


def test_options_and_progress() -> None:
    layers = two_kecamatan(rows=[("gudang", "beras", 500.0, "baik", None, "2025-01-05")])
    said: list[str] = []
    res = run_analysis(layers, today=TODAY, jarak_km=5, hari=14, progress=said.append)
    assert set(res.jangkauan["kode"]) == {"32.16.19"}  # the east square is 12 km away
    gap = res.gap.set_index(["kode", "barang"])
    assert gap.loc[("32.16.19", "beras"), "kebutuhan"] == pytest.approx(280, rel=1e-3)
    assert len(said) >= 4 and res.config.jarak_km == 5


def test_write_outputs(tmp_path: Path) -> None:
    layers = two_kecamatan(rows=[("gudang", "beras", 200.0, "baik", None, "2025-01-05")])
    res = run_analysis(layers, today=TODAY)
    written = write_outputs(res, tmp_path, layers=layers)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(BERKAS)
    assert all(p.exists() for p in written)
    fc = json.loads((tmp_path / "kecamatan_risiko.geojson").read_text())
    props = fc["features"][0]["properties"]
    assert list(props) == [
        "kode",
        "nama",
        "skenario",
        "penduduk",
        "luas_m2",
        "luas_banjir_m2",
        "porsi_banjir",
        "terdampak",
        "pengungsi",
        "berisiko",
        "luas_rendah_m2",
        "luas_sedang_m2",
        "luas_tinggi_m2",
        "peringkat",
    ]
    assert props["berisiko"] is True and "crs" not in fc
    sites = json.loads((tmp_path / "lokasi_banjir.geojson").read_text())["features"]
    assert {k: sites[0]["properties"][k] for k in ("lokasi_id", "anggota_id", "kelas_banjir")} == {
        "lokasi_id": "gudang",
        "anggota_id": "BPBD",
        "kelas_banjir": "",
    }
    assert list(sites[0]["properties"]) == list(hasil.KOLOM_LOKASI)
    lines = json.loads((tmp_path / "alokasi.geojson").read_text())["features"]
    assert lines[0]["geometry"]["type"] == "LineString"
    assert list(lines[0]["properties"]) == [
        "lokasi_id",
        "anggota_id",
        "kode",
        "barang",
        "jumlah",
        "satuan",
        "jarak_m",
        "waktu_menit",
        "status_stok",
        "usang",
    ]
    gap = pd.read_csv(tmp_path / "gap.csv")
    assert list(gap.columns) == [
        "kode",
        "barang",
        "satuan",
        "berisiko",
        "kebutuhan",
        "terjangkau",
        "teralokasi",
        "kekurangan",
        "alasan",
    ]
    jangkauan = pd.read_csv(tmp_path / "jangkauan.csv", keep_default_na=False)
    assert list(jangkauan.columns) == list(hasil.KOLOM_JANGKAUAN)
    assert list(jangkauan.columns[3:]) == ["waktu_menit", "terputus", "alasan"]
    # straight-line mode: no travel time, never cut off
    assert set(jangkauan["waktu_menit"]) == {""} and not jangkauan["terputus"].any()
    assert sorted(pyogrio.list_layers(tmp_path / "hasil.gpkg")[:, 0]) == [
        "hasil_alokasi",
        "hasil_gap",
        "hasil_jangkauan",
        "hasil_kebutuhan",
        "hasil_kecamatan_risiko",
        "hasil_lokasi_banjir",
        "layer_styles",
    ]
    wb = openpyxl.load_workbook(tmp_path / "rencana_aksi.xlsx")
    assert wb.sheetnames == ["Ringkasan", "Per kecamatan", "Per anggota"]
    ws = wb["Per anggota"]
    assert "DRAF rencana aksi" in ws["A1"].value and "latihan" in ws["A1"].value
    assert ws["A4"].font.bold and ws["A4"].value == "Anggota"
    assert "BPBD Kab. Bekasi" in [c.value for c in ws["A"]]  # member by name
    per_kec = list(wb["Per kecamatan"].iter_rows(min_row=5, values_only=True))
    beras = BARANG.set_index("kode").loc["beras", "nama"]
    assert ("32.16.20", "Timur", beras) in [r[:3] for r in per_kec]


# --- real boundaries ---------------------------------------------------------------------


def bekasi_layers(shared_data: Path) -> dict[str, pd.DataFrame]:
    """The 23 real kecamatan with census 2010 population, a flood layer built here (three
    classes of buffers around points and a river-like line, in UTM 48S) and synthetic sites
    and stock around the regency."""
    kec = gpd.read_file(shared_data / "bekasi" / "kecamatan.geojson")[["kode", "nama", "geometry"]]
    pop = pd.read_csv(shared_data / "bekasi" / "population_kecamatan.csv", dtype={"kode": str})
    kec = kec.merge(
        pop[["kode", "penduduk_sp2010"]].rename(columns={"penduduk_sp2010": "penduduk"}),
        on="kode",
        how="left",
    )
    kec["penduduk"] = kec["penduduk"].astype(float)
    kec.loc[kec["kode"] == "32.16.17", "penduduk"] = np.nan  # one unknown, on purpose
    utm = kec.to_crs(UTM)
    centres = utm.representative_point().to_numpy()
    river = shapely.LineString([(c.x, c.y) for c in centres[[16, 1, 4, 6, 8, 18]]])
    flood = [
        ("rendah", river.buffer(3000)),
        ("sedang", river.buffer(1500)),
        ("tinggi", river.buffer(500)),
        ("sedang", centres[12].buffer(4000)),
        ("tinggi", centres[12].buffer(1500)),
        ("rendah", centres[21].buffer(2500)),
    ]
    zona = gpd.GeoDataFrame(
        {"kelas": [k for k, _ in flood], "skenario": "latihan_bekasi"},
        geometry=[g for _, g in flood],
        crs=UTM,
    ).to_crs(4326)
    rng = np.random.default_rng(2016)
    xmin, ymin, xmax, ymax = utm.total_bounds
    n = 40
    lokasi = gpd.GeoDataFrame(
        {
            "id": [f"L{i:02d}" for i in range(n)],
            "anggota_id": [f"A{i % 6}" for i in range(n)],
            "nama": [f"Lokasi {i}" for i in range(n)],
        },
        geometry=shapely.points(rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)),
        crs=UTM,
    ).to_crs(4326)
    items = {
        "beras": (2000, "kg"),
        "air_minum": (20000, "liter"),
        "tenda": (20, "unit"),
        "perahu_karet": (3, "unit"),
    }
    rows = []
    for i in range(n):
        for j, (kode, (top, unit)) in enumerate(items.items()):
            if (i + j) % 3 == 0:
                continue
            q = float(rng.integers(0, top))
            rows.append(
                {
                    "lokasi_id": f"L{i:02d}",
                    "barang": kode,
                    "jumlah": q,
                    "siap": q,
                    "satuan": unit,
                    "kondisi": "rusak" if (i * j) % 11 == 5 else "baik",
                    "kedaluwarsa": pd.Timestamp("2024-12-01") if (i + j) % 7 == 0 else pd.NaT,
                    "dilaporkan": pd.Timestamp(
                        "2024-11-01" if i % 6 == 5 else "2025-01-02", tz="UTC"
                    ),
                }
            )
    return {"kecamatan": kec, "zona_banjir": zona, "lokasi": lokasi, "stok": pd.DataFrame(rows)}


def test_real_bekasi_boundaries_satisfy_the_invariants(shared_data: Path) -> None:
    layers = bekasi_layers(shared_data)
    start = time.perf_counter()
    res = run_analysis(layers, today=TODAY)
    elapsed = time.perf_counter() - start
    assert res.crs_metrik.to_epsg() == 32748
    assert len(res.kecamatan) == 23
    assert res.kecamatan["luas_m2"].sum() / 1e6 == pytest.approx(1273.88, rel=0.05)
    assert 3 <= res.kecamatan["berisiko"].sum() < 23
    assert not res.alokasi.empty and (res.lokasi["usang"]).any()
    unknown = res.kecamatan.set_index("kode").loc["32.16.17"]
    assert np.isnan(unknown["pengungsi"]) and unknown["luas_banjir_m2"] > 0
    assert_allocation_invariants(res)
    assert elapsed < 5, f"Bekasi analysis took {elapsed:.2f} s"


def test_data_spanning_several_utm_zones_are_computed_zone_by_zone() -> None:
    """A 10 km square in Sumatra (UTM 47S) and one in Papua (UTM 54S), each half flooded,
    each with a warehouse 3 km east: every figure as computed in the kecamatan's own zone."""
    zones = {"47": ("EPSG:32747", 300_000.0), "54": ("EPSG:32754", 600_000.0)}
    kec, zona, lokasi = [], [], []
    for z, (epsg, x0) in zones.items():
        y0 = 9_650_000.0

        def sq(a, b, c, d, epsg=epsg, x0=x0, y0=y0):
            return gpd.GeoSeries(
                [shapely.box(x0 + a * KM, y0 + b * KM, x0 + c * KM, y0 + d * KM)], crs=epsg
            ).to_crs(4326)

        def pt(x, y, epsg=epsg, x0=x0, y0=y0):
            return gpd.GeoSeries([shapely.Point(x0 + x * KM, y0 + y * KM)], crs=epsg).to_crs(4326)

        kec.append(
            gpd.GeoDataFrame(
                {"kode": [f"{z}.01"], "nama": [z], "penduduk": [10_000.0]},
                geometry=sq(0, 0, 10, 10),
            )
        )
        zona.append(
            gpd.GeoDataFrame(
                {"kelas": ["rendah"], "skenario": ["latihan"]}, geometry=sq(0, 0, 5, 10)
            )
        )
        lokasi.append(
            gpd.GeoDataFrame(
                {"id": [f"G{z}"], "anggota_id": ["BPBD"], "nama": ["Gudang"]}, geometry=pt(13, 5)
            )
        )
    layers = {
        "kecamatan": pd.concat(kec, ignore_index=True),
        "zona_banjir": pd.concat(zona, ignore_index=True),
        "lokasi": pd.concat(lokasi, ignore_index=True),
        "anggota": layer(
            [{"id": "BPBD", "nama": "BPBD", "sektor": "pemerintah_daerah"}], [at(0, 0)]
        ),
        "stok": stok(
            ("G47", "beras", 100.0, "baik", None, "2025-01-05"),
            ("G54", "beras", 100.0, "baik", None, "2025-01-05"),
        ),
        "barang": BARANG,
    }
    res = run_analysis(layers, today=TODAY)
    assert res.crs_wilayah.to_dict() == {"47.01": 32747, "54.01": 32754}
    assert res.crs_untuk("54.01").to_epsg() == 32754
    kec_out = res.kecamatan.set_index("kode")
    for kode in ("47.01", "54.01"):
        assert kec_out.loc[kode, "luas_m2"] == pytest.approx(100_000_000, rel=1e-6)
        assert kec_out.loc[kode, "luas_banjir_m2"] == pytest.approx(50_000_000, rel=1e-6)
        assert kec_out.loc[kode, "berisiko"]
    assert list(res.kecamatan["kode"]) == ["47.01", "54.01"]  # input order kept
    assert sorted(res.kecamatan["peringkat"]) == [1, 2]
    reach = res.jangkauan.set_index("lokasi_id")
    assert set(reach.index) == {"G47", "G54"}  # each reaches only its own kecamatan
    assert reach.loc["G47", "kode"] == "47.01" and reach.loc["G54", "kode"] == "54.01"
    assert reach["jarak_m"].to_numpy() == pytest.approx([3000, 3000], abs=1)
    assert list(res.lokasi["lokasi_id"]) == ["G47", "G54"]
    alloc = res.alokasi.set_index("lokasi_id")["jumlah"]
    assert alloc.to_dict() == pytest.approx({"G47": 100.0, "G54": 100.0})
    # one zone for both would be wrong by several per cent: that is what the split avoids
    far = res.kecamatan[res.kecamatan["kode"] == "54.01"].to_crs(32747).area.iloc[0]
    assert abs(far / 100_000_000 - 1) > 0.05


def test_a_configured_metric_crs_is_used_for_everything() -> None:
    from geo_klaster.config import AnalysisConfig

    layers = two_kecamatan(rows=[("gudang", "beras", 200.0, "baik", None, "2025-01-05")])
    res = run_analysis(layers, today=TODAY, config=AnalysisConfig(crs_metrik="EPSG:23830"))
    assert res.crs_metrik.to_epsg() == 23830
    assert set(res.crs_wilayah) == {23830}
