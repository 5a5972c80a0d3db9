"""DKI Jakarta's real files (../shared/data/jakarta) through the CLI: import, exposure, roads.

What the files are (SOURCES.md there): 42 kecamatan and 261 kelurahan boundaries with names
but **no official codes**, the 1,009 RW polygons flooded in February 2007 (wet/dry only:
``FLOODPRONE`` = YES/Yes, no hazard class; neighbouring RW overlap by ~2.6 km²), and 18,574
OSM road lines. What a user does with them, step by step, as these tests do:

1. ``geo-klaster import kecamatan admin_kecamatan.geojson --map KEC_NAME=nama`` is refused:
   the file has no ``kode`` column, and the message says what a ``kode`` is (Kemendagri,
   e.g. 32.16.20). Mapping the names onto ``kode`` is refused feature by feature (wrong
   format). Codes join layers (DESIGN.md: never names), so the user adds them once, in QGIS
   or a script, from the Kemendagri table, joining on the (unique) names and checking the
   result. Here :func:`prepared_boundaries` does that: the kota part is Kemendagri's (31.71
   Jakarta Selatan, 31.72 Jakarta Timur, 31.73 Jakarta Pusat, 31.74 Jakarta Barat, 31.75
   Jakarta Utara); the kecamatan and kelurahan serials are **stand-ins** numbered by name,
   not the official numbers, which these files do not carry.
2. The flood layer gets its class on import: ``--skenario banjir_2007 --nilai kelas=tinggi``
   (SOURCES.md: a wet/dry layer, "a kelas must be given on import, e.g. all tinggi").
3. Population: the files carry none; the tests supply a **synthetic** one (15,000 people per
   km², about Jakarta's density) with ``--mode update --nilai sumber_penduduk=...``, and
   synthetic members, sites and stock, so that needs and the allocation have work to do.
4. Roads: ``import jalan roads_osm_2012.geojson --map TYPE=kelas --map ONEWAY=oneway`` takes
   all 18,574 lines (travel-time reach on them: ``tests/test_jakarta_roads.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from invariants import assert_allocation_invariants

from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.cli import main
from geo_klaster.store import GpkgStore

KOTA = {  # Kemendagri codes of DKI Jakarta's five mainland kota
    "JAKARTA SELATAN": "31.71",
    "JAKARTA TIMUR": "31.72",
    "JAKARTA PUSAT": "31.73",
    "JAKARTA BARAT": "31.74",
    "JAKARTA UTARA": "31.75",
}
UTM48S = 32748
TODAY = dt.date(2026, 1, 15)
DENSITY_PER_KM2 = 15_000  # synthetic population, about Jakarta's density


def run(store: Path, *args: object) -> int:
    return main(["--store", str(store), *map(str, args)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def jakarta(shared_data: Path) -> Path:
    return shared_data / "jakarta"


def kecamatan_codes(jakarta: Path) -> dict[str, str]:
    """KEC_NAME -> stand-in code 31.7K.NN (kota per Kemendagri, NN by name within the kota)."""
    kec = gpd.read_file(jakarta / "admin_kecamatan.geojson")
    assert not kec["KEC_NAME"].duplicated().any(), "names must be unique to join on them"
    kec = kec.sort_values(["KAB_NAME", "KEC_NAME"])
    serial = kec.groupby("KAB_NAME").cumcount() + 1
    return {
        n: f"{KOTA[k]}.{s:02d}"
        for n, k, s in zip(kec["KEC_NAME"], kec["KAB_NAME"], serial, strict=True)
    }


def prepared_boundaries(jakarta: Path, out: Path) -> tuple[Path, Path]:
    """What the user prepares: the same boundaries with codes added (see the module doc)."""
    codes = kecamatan_codes(jakarta)
    kec = gpd.read_file(jakarta / "admin_kecamatan.geojson")
    kec["kode"] = kec["KEC_NAME"].map(codes)
    kec_path = out / "kecamatan_berkode.geojson"
    kec.to_file(kec_path)  # keeps KAB_NAME, KEC_NAME: the import lists them as ignored
    kel = gpd.read_file(jakarta / "admin_kelurahan.geojson")
    kel["kode"] = kel["KEC_NAME_1"].str.removeprefix("KECAMATAN ").map(codes)
    assert kel["kode"].notna().all(), "every kelurahan names a known kecamatan"
    kel = kel.sort_values(["kode", "KEL_NAME2"])
    kel["kode_desa"] = kel["kode"] + "." + (1001 + kel.groupby("kode").cumcount()).astype(str)
    kel_path = out / "kelurahan_berkode.geojson"
    kel.to_file(kel_path)
    return kec_path, kel_path


def synthetic_members(kec_path: Path, out: Path, n_sites: int = 36) -> dict[str, Path]:
    """Synthetic cluster: 6 members, ``n_sites`` sites spread over Jakarta, stock lines."""
    rng = np.random.default_rng(2007)
    kec = gpd.read_file(kec_path)
    pts = kec.sample(n_sites, replace=n_sites > len(kec), random_state=7).representative_point()
    sektor = ["pemerintah_daerah", "swasta", "komunitas", "instansi_pusat", "swasta", "komunitas"]
    anggota = pd.DataFrame(
        {
            "id": [f"A{i + 1}" for i in range(6)],
            "nama": [f"Anggota sintetis {i + 1}" for i in range(6)],
            "sektor": sektor,
            "lon": 106.83,
            "lat": -6.18,
        }
    )
    lokasi = pd.DataFrame(
        {
            "id": [f"L{i + 1:02d}" for i in range(n_sites)],
            "anggota_id": [f"A{i % 6 + 1}" for i in range(n_sites)],
            "nama": [f"Gudang sintetis {i + 1}" for i in range(n_sites)],
            "lon": pts.x.to_numpy().round(6),
            "lat": pts.y.to_numpy().round(6),
        }
    )
    barang = pd.DataFrame(
        {
            "kode": ["beras", "air_minum", "paket_keluarga", "perahu_karet", "pompa_air"],
            "nama": ["Beras", "Air minum", "Paket keluarga", "Perahu karet", "Pompa air"],
            "kategori": ["logistik", "logistik", "logistik", "peralatan", "peralatan"],
            "satuan": ["kg", "liter", "paket", "unit", "unit"],
        }
    )
    scale = {"beras": 20_000, "air_minum": 100_000, "paket_keluarga": 1_500,
             "perahu_karet": 6, "pompa_air": 4}  # fmt: skip
    rows = []
    for i, site in enumerate(lokasi["id"]):
        for item, unit in zip(barang["kode"], barang["satuan"], strict=True):
            if rng.random() < 0.3:
                continue
            jumlah = float(rng.integers(1, 10) * scale[item] / 5)
            siap = jumlah * 0.8
            if unit not in ("kg", "liter"):  # whole units (barang.bulat by default)
                jumlah, siap = float(np.ceil(jumlah)), float(np.floor(siap))
            rows.append(
                {
                    "lokasi_id": site,
                    "barang": item,
                    "jumlah": jumlah,
                    "siap": siap,
                    "satuan": unit,
                    "kondisi": "rusak" if i % 11 == 0 else "baik",
                    "kedaluwarsa": "2025-12-31" if i % 13 == 0 else "2027-06-30",
                    "dilaporkan": "2026-01-05T08:00:00",
                }
            )
    paths = {}
    for name, frame in (("barang", barang), ("anggota", anggota), ("lokasi", lokasi),
                        ("stok", pd.DataFrame(rows))):  # fmt: skip
        paths[name] = out / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


@pytest.fixture(scope="module")
def jakarta_store(jakarta: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jakarta")
    store = out / "klaster.gpkg"
    kec_path, kel_path = prepared_boundaries(jakarta, out)
    timings: dict[str, float] = {}

    def timed(label: str, *args: object) -> None:
        t = time.perf_counter()
        assert run(store, *args) == 0, args
        timings[label] = time.perf_counter() - t

    timed("init", "init")
    timed("kecamatan", "import", "kecamatan", kec_path, "--map", "KEC_NAME=nama")
    timed("desa", "import", "desa", kel_path, "--map", "KEL_NAME2=nama_desa")
    kec = gpd.read_file(kec_path)
    luas_km2 = kec.to_crs(UTM48S).area / 1e6
    pd.DataFrame({"kode": kec["kode"], "penduduk": (luas_km2 * DENSITY_PER_KM2).round()}).to_csv(
        out / "penduduk.csv", index=False
    )
    timed("penduduk", "import", "kecamatan", out / "penduduk.csv", "--mode", "update",
          "--nilai", "sumber_penduduk=sintetis (uji), 15.000 jiwa/km²")  # fmt: skip
    timed("zona_banjir", "import", "zona_banjir", jakarta / "flood_rw_2007.geojson",
          "--skenario", "banjir_2007", "--nilai", "kelas=tinggi",
          "--nilai", "sumber=InaSAFE/OSM: RW tergenang Februari 2007")  # fmt: skip
    for name, path in synthetic_members(kec_path, out).items():
        timed(name, "import", name, path)
    print("\nimport timings (s):", {k: round(v, 2) for k, v in timings.items()})
    return store


# -- 1. import ----------------------------------------------------------------------------


def test_raw_boundaries_refused_with_what_and_where(
    jakarta: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "k.gpkg"
    assert run(store, "init") == 0
    before = digest(store)
    kec = jakarta / "admin_kecamatan.geojson"
    assert run(store, "import", "kecamatan", kec, "--map", "KEC_NAME=nama") == 2
    err = capsys.readouterr().err
    assert "admin_kecamatan.geojson, kolom 'kode': kolom wajib tidak ada" in err
    assert "kode Kemendagri, mis. 32.16.20" in err and "KAB_NAME" in err

    # names are not codes: refused feature by feature, every one counted
    assert run(store, "import", "kecamatan", kec, "--map", "KEC_NAME=kode",
               "--map", "KAB_NAME=nama") == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "(42 masalah)" in err
    assert "admin_kecamatan.geojson, fitur 1, kolom 'kode': format 'CENGKARENG' salah" in err

    kel = jakarta / "admin_kelurahan.geojson"
    assert run(store, "import", "desa", kel, "--map", "KEL_NAME2=nama_desa") == 2
    err = capsys.readouterr().err
    assert "kolom 'kode_desa': kolom wajib tidak ada" in err and "kolom 'kode':" in err
    assert digest(store) == before


def test_codes_geometry_and_z_problems_located_and_fixed(
    jakarta: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real kecamatan with the mess a hand-edited copy gets: a duplicate code, a ring
    crossing itself, Z coordinates from a 3-D export. Refused with feature numbers; then the
    duplicate corrected and ``--fix`` repairs the ring."""
    kec_path, _ = prepared_boundaries(jakarta, tmp_path)
    kec = gpd.read_file(kec_path)
    kec.loc[5, "kode"] = kec.loc[4, "kode"]
    ring = list(kec.geometry[10].geoms[0].exterior.coords if kec.geometry[10].geom_type
                == "MultiPolygon" else kec.geometry[10].exterior.coords)  # fmt: skip
    ring[20], ring[21] = ring[21], ring[20]  # two vertices swapped: edges cross
    bad = shapely.Polygon(ring)
    assert not bad.is_valid
    kec.loc[10, "geometry"] = bad
    kec["geometry"] = shapely.force_3d(kec.geometry.to_numpy(), 12.0)
    messy = tmp_path / "kecamatan_messy.geojson"
    kec.to_file(messy)

    store = tmp_path / "k.gpkg"
    assert run(store, "init") == 0
    assert run(store, "import", "kecamatan", messy, "--map", "KEC_NAME=nama") == 2
    err = capsys.readouterr().err
    dup = kec.loc[4, "kode"]
    assert f"fitur 6, kolom 'kode': kunci ganda / duplicate key '{dup}' (juga di fitur 5)" in err
    assert "fitur 11, kolom 'geometry': geometri tidak valid / invalid geometry: Self-intersection" in err  # fmt: skip
    assert "(perbaiki dengan --fix)" in err

    kec.loc[5, "kode"] = kecamatan_codes(jakarta)[kec.loc[5, "KEC_NAME"]]
    kec.to_file(messy)
    assert run(store, "import", "kecamatan", messy, "--map", "KEC_NAME=nama", "--fix") == 0
    out = capsys.readouterr().out
    assert "kecamatan: 42 baris diganti" in out
    assert "geometri diperbaiki (--fix) pada 1 fitur: 11" in out
    assert "koordinat Z/M (ketinggian) diabaikan pada 42 fitur" in out
    assert "kolom diabaikan (tidak ada di lapisan) / ignored columns: KAB_NAME" in out
    stored = GpkgStore(store).read("kecamatan")
    geoms = stored.geometry.to_numpy()
    assert shapely.is_valid(geoms).all() and not shapely.has_z(geoms).any()
    assert set(stored.geom_type) == {"MultiPolygon"}
    fixed = stored.set_index("kode").geometry[kec.loc[10, "kode"]]
    original = gpd.read_file(kec_path).geometry[10]
    assert fixed.symmetric_difference(original).area < 0.01 * original.area


def test_jakarta_store_content(jakarta: Path, jakarta_store: Path) -> None:
    s = GpkgStore(jakarta_store)
    counts = {n: s.count(n) for n in ("kecamatan", "desa", "zona_banjir", "lokasi")}
    print("\ncounts:", counts)
    assert counts == {"kecamatan": 42, "desa": 261, "zona_banjir": 1009, "lokasi": 36}
    kec = s.read("kecamatan")
    assert kec.crs.to_epsg() == 4326 and set(kec.geom_type) == {"MultiPolygon"}
    assert kec["kode"].str.fullmatch(r"31\.7[1-5]\.\d{2}").all()
    assert kec.to_crs(UTM48S).union_all().area / 1e6 == pytest.approx(641.1, rel=1e-3)
    desa = s.read("desa")
    assert desa.to_crs(UTM48S).area.sum() / 1e6 == pytest.approx(641.2, rel=1e-3)
    assert set(desa["kode"]) == set(kec["kode"])
    zona = s.read("zona_banjir")
    assert set(zona["kelas"]) == {"tinggi"} and set(zona["skenario"]) == {"banjir_2007"}
    union_km2 = shapely.union_all(zona.to_crs(UTM48S).geometry.to_numpy()).area / 1e6
    assert union_km2 == pytest.approx(238.0, rel=0.01)  # SOURCES.md: 238 km²
    assert kec["sumber_penduduk"].str.startswith("sintetis").all()


# -- 2. analysis ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jakarta_result(jakarta_store: Path):
    layers = GpkgStore(jakarta_store).read_all()
    t = time.perf_counter()
    result = run_analysis(layers, skenario="banjir_2007", today=TODAY)
    elapsed = time.perf_counter() - t
    print(f"\nrun_analysis: {elapsed:.2f} s", {k: round(v, 3) for k, v in result.waktu_s.items()})
    return result


def test_analysis_invariants(jakarta_result) -> None:
    assert jakarta_result.crs_metrik.to_epsg() == UTM48S
    assert_allocation_invariants(jakarta_result)
    assert len(jakarta_result.alokasi) > 0
    # stale nobody (reported 10 days before), but damaged and expired stock does not move
    assert not jakarta_result.stok["usang"].any()
    assert set(jakarta_result.stok["alasan"]) > {""}


def test_flooded_area_per_kecamatan_independent(jakarta: Path, jakarta_result) -> None:
    """luas_banjir_m2 = area(union of the raw flooded RW ∩ raw kecamatan), EPSG:32748, 0.01 %."""
    raw_kec = gpd.read_file(jakarta / "admin_kecamatan.geojson").to_crs(UTM48S)
    raw_rw = gpd.read_file(jakarta / "flood_rw_2007.geojson").to_crs(UTM48S)
    flood = shapely.union_all(shapely.make_valid(raw_rw.geometry.to_numpy()))
    expected = pd.Series(
        shapely.area(shapely.intersection(raw_kec.geometry.to_numpy(), flood)),
        index=raw_kec["KEC_NAME"].map(kecamatan_codes(jakarta)).to_numpy(),
    )
    got = jakarta_result.kecamatan.set_index("kode")["luas_banjir_m2"].reindex(expected.index)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-4)
    total = expected.sum() / 1e6
    print(f"\nflooded area: {total:.2f} km² in {int((expected > 0).sum())} kecamatan")
    assert total == pytest.approx(238.0, rel=0.01)


def test_at_risk_kecamatan_plausible(jakarta_result) -> None:
    kec = jakarta_result.kecamatan
    risk = kec[kec["berisiko"]]
    share = kec.set_index("nama")["porsi_banjir"].sort_values()
    print(f"\nat risk (>= 5 % flooded): {len(risk)} of {len(kec)}; "
          f"least flooded: {share.index[0]} {share.iloc[0]:.1%}, "
          f"most: {share.index[-1]} {share.iloc[-1]:.1%}")  # fmt: skip
    # The February 2007 flood covered ~37 % of mainland Jakarta (238 of 641 km²).
    assert 30 <= len(risk) <= 42
    assert kec["luas_banjir_m2"].sum() / kec["luas_m2"].sum() == pytest.approx(0.371, abs=0.01)
    assert (risk["pengungsi"] > 0).all()  # synthetic population: displaced known everywhere
    # wet/dry taken as tinggi: displaced = 5 % of the exposed people
    np.testing.assert_allclose(risk["pengungsi"], 0.05 * risk["terdampak"], rtol=1e-9)


# -- 3. roads -------------------------------------------------------------------------------


def test_roads_import_into_jalan_only(
    jakarta: Path, jakarta_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "k.gpkg"
    assert run(store, "init") == 0
    before = digest(store)
    roads = jakarta / "roads_osm_2012.geojson"
    assert run(store, "import", "roads", roads) != 0
    err = capsys.readouterr().err
    assert "lapisan tidak dikenal / unknown layer 'roads'" in err
    assert "lapisan yang ada: kecamatan, desa, zona_banjir, anggota, lokasi, stok, barang, jalan" in err  # fmt: skip
    # and not as a polygon layer either: the geometry type is named, with the feature
    assert run(store, "import", "zona_banjir", roads, "--skenario", "x",
               "--nilai", "kelas=tinggi") == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "(18574 masalah)" in err
    # one line for the one distinct problem, with its count and first features
    assert ("kolom 'geometry': tipe geometri LineString, seharusnya Polygon/MultiPolygon / "
            "wrong geometry type (18574 fitur: 1, 2, 3, 4, 5, ...)") in err  # fmt: skip
    # the file has TYPE, not kelas: refused naming the column and the --map that fixes it
    assert run(store, "import", "jalan", roads) == 2
    assert "kolom 'kelas': kolom wajib tidak ada" in capsys.readouterr().err
    assert digest(store) == before
    # into the Jakarta store (kecamatan present): every one of the 18,574 lines
    assert run(jakarta_store, "import", "jalan", roads, "--map", "TYPE=kelas",
               "--map", "ONEWAY=oneway", "--map", "NAME=nama") == 0  # fmt: skip
    assert GpkgStore(jakarta_store).count("jalan") == 18_574
