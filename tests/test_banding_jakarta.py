"""Plan against event on real data: DKI Jakarta's February 2007 flood held against a plan.

The event: the 1,009 RW polygons flooded in February 2007 (../shared/data/jakarta;
SOURCES.md: wet/dry, ``FLOODPRONE`` = YES/Yes, so the class comes from a value map,
``--map FLOODPRONE=kelas --map-nilai kelas:YES=tinggi,Yes=tinggi``), imported as a ``kejadian``
with a nominal ``waktu`` of 2 February 2007, 07:00 WIB (SOURCES.md says only "February
2007"; the day is this test's choice). The plan: a scenario this test draws — one box over
North Jakarta (lon 106.68–106.98, lat −6.16 to −6.08), class ``sedang`` (so that sites in it
still count, flagged), as a contingency plan that only expected the coastal flood.

Boundaries, synthetic population (15,000 per km²) and 36 synthetic sites come from the
helpers of ``test_jakarta.py`` (stand-in kecamatan codes; see its module doc).

Expected figures, computed here again with shapely alone in EPSG:32748 (UTM 48S) from the raw
files, and stated as numbers:

- at risk (flooded share >= 5 %) in the event: 41 of 42 kecamatan; in the plan: 13;
- at risk in the event but not flagged by the plan: 29; flagged by the plan, not at risk in
  the event: 1;
- synthetic sites standing in the event's water (RW union, boundary included): 14 of 36.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from test_jakarta import (
    DENSITY_PER_KM2,
    TODAY,
    UTM48S,
    kecamatan_codes,
    prepared_boundaries,
    run,
    synthetic_members,
)

from geo_klaster.results.banding import compare_layers
from geo_klaster.store import GpkgStore

PLAN_BOX = (106.68, -6.16, 106.98, -6.08)  # lon/lat, North Jakarta
EVENT = "banjir_2007"
PLAN = "rencana_pesisir"
AT_RISK_EVENT = 41
AT_RISK_PLAN = 13
MISSED = 29
PLAN_ONLY = 1
SITES_IN_EVENT_WATER = 14
SITES_COUNTED_ON = 12  # of those 14, the plan allocates stock from 12 (found, not derived)


@pytest.fixture(scope="module")
def jakarta(shared_data: Path) -> Path:
    return shared_data / "jakarta"


@pytest.fixture(scope="module")
def store(jakarta: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("banding_jakarta")
    store = out / "klaster.gpkg"
    kec_path, _ = prepared_boundaries(jakarta, out)
    assert run(store, "init") == 0
    assert run(store, "import", "kecamatan", kec_path, "--map", "KEC_NAME=nama") == 0
    kec = gpd.read_file(kec_path)
    luas_km2 = kec.to_crs(UTM48S).area / 1e6
    pd.DataFrame({"kode": kec["kode"], "penduduk": (luas_km2 * DENSITY_PER_KM2).round()}).to_csv(
        out / "penduduk.csv", index=False
    )
    assert run(store, "import", "kecamatan", out / "penduduk.csv", "--mode", "update") == 0
    # the wet/dry flag becomes the class through a value map (FLOODPRONE = YES/Yes: wet)
    assert run(store, "import", "zona_banjir", jakarta / "flood_rw_2007.geojson",
               "--skenario", EVENT, "--map", "FLOODPRONE=kelas",
               "--map-nilai", "kelas:YES=tinggi,Yes=tinggi", "--nilai", "jenis=kejadian",
               "--nilai", "waktu=2007-02-02T07:00:00+07:00") == 0  # fmt: skip
    plan = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "kelas": "sedang",
                    "skenario": PLAN,
                    "jenis": "rencana",
                    "sumber": "uji: kotak Jakarta Utara",
                },
                "geometry": shapely.geometry.mapping(shapely.box(*PLAN_BOX)),
            }
        ],
    }
    (out / "rencana.geojson").write_text(json.dumps(plan), encoding="utf-8")
    assert run(store, "import", "zona_banjir", out / "rencana.geojson") == 0
    for name, path in synthetic_members(kec_path, out).items():
        assert run(store, "import", name, path) == 0
    zona = GpkgStore(store).read("zona_banjir")
    event = zona[zona["skenario"] == EVENT]
    assert len(event) == 1009 and set(event["kelas"]) == {"tinggi"}
    assert set(event["jenis"]) == {"kejadian"} and set(zona["jenis"]) == {"rencana", "kejadian"}
    return store


def independent(jakarta: Path, out: Path) -> dict[str, object]:
    """At-risk sets and sites in the water from the raw files, shapely only (EPSG:32748)."""
    codes = kecamatan_codes(jakarta)
    kec = gpd.read_file(jakarta / "admin_kecamatan.geojson").to_crs(UTM48S)
    kode = kec["KEC_NAME"].map(codes).to_numpy()
    geoms, area = kec.geometry.to_numpy(), kec.area.to_numpy()
    rw = gpd.read_file(jakarta / "flood_rw_2007.geojson").to_crs(UTM48S)
    flood = shapely.union_all(shapely.make_valid(rw.geometry.to_numpy()))
    box = gpd.GeoSeries([shapely.box(*PLAN_BOX)], crs=4326).to_crs(UTM48S).iloc[0]
    event_share = shapely.area(shapely.intersection(geoms, flood)) / area
    plan_share = shapely.area(shapely.intersection(geoms, box)) / area
    lokasi = pd.read_csv(out / "lokasi.csv")
    pts = gpd.GeoSeries(gpd.points_from_xy(lokasi["lon"], lokasi["lat"]), crs=4326)
    wet = shapely.intersects(flood, pts.to_crs(UTM48S).to_numpy())
    return {
        "event": set(kode[event_share >= 0.05]),
        "plan": set(kode[plan_share >= 0.05]),
        "wet_sites": set(lokasi.loc[wet, "id"]),
        # distance of every share from the 5 % threshold: the sets are not knife-edge
        "margin": float(np.abs(np.r_[event_share, plan_share] - 0.05).min()),
    }


@pytest.fixture(scope="module")
def banding(store: Path):
    layers = GpkgStore(store).read_all()
    return compare_layers(layers, [PLAN, EVENT], today=TODAY)


def test_plan_against_event_counts(jakarta: Path, store: Path, banding) -> None:
    expect = independent(jakarta, store.parent)
    assert expect["margin"] > 0.001  # no share within 0.1 point of the threshold
    assert len(expect["event"]) == AT_RISK_EVENT
    assert len(expect["plan"]) == AT_RISK_PLAN
    assert len(expect["event"] - expect["plan"]) == MISSED
    assert len(expect["plan"] - expect["event"]) == PLAN_ONLY
    assert len(expect["wet_sites"]) == SITES_IN_EVENT_WATER

    ring = banding.ringkasan.set_index("skenario")
    assert ring.loc[PLAN, "jenis"] == "rencana" and ring.loc[EVENT, "jenis"] == "kejadian"
    assert str(ring.loc[EVENT, "waktu"]) == "2007-02-02 00:00:00+00:00"  # 07:00 WIB in UTC
    assert ring.loc[EVENT, "kecamatan_berisiko"] == AT_RISK_EVENT
    assert ring.loc[PLAN, "kecamatan_berisiko"] == AT_RISK_PLAN

    k = banding.kecamatan.set_index("kode")
    assert set(k.index[k["berisiko_b"]]) == expect["event"]
    assert set(k.index[k["berisiko_a"]]) == expect["plan"]
    missed = banding.missed(PLAN, EVENT)
    assert len(missed) == MISSED
    assert set(missed["kode"]) == expect["event"] - expect["plan"]
    assert (k["perubahan"] == "tidak_lagi").sum() == PLAN_ONLY

    # sites in the event's water: the event analysis flags exactly the shapely set
    result_sites = banding.lokasi
    assert set(result_sites["lokasi_id"]) <= expect["wet_sites"]
    assert (result_sites["kelas_kejadian"] == "tinggi").all()
    assert (result_sites["status_kejadian"] == "tidak_tersedia").all()
    # ... and the plan counted on those of them it allocated stock from: each listed site has
    # allocation lines, and the stock allocated from them is the plan's lines from those sites
    assert (result_sites["baris_alokasi"] > 0).all()
    plan_lines = banding.alokasi
    assert set(plan_lines["lokasi_id"]) == set(result_sites["lokasi_id"])
    assert (plan_lines["jumlah"] > 0).all()
    assert (plan_lines["rencana"] == PLAN).all() and (plan_lines["kejadian"] == EVENT).all()
    print(
        f"\nplan {PLAN} vs event {EVENT}: missed {len(missed)} kecamatan; "
        f"{len(result_sites)} of {len(expect['wet_sites'])} wet sites counted on by the plan, "
        f"{len(plan_lines)} allocation lines"
    )
    assert len(result_sites) == SITES_COUNTED_ON
    # the other wet sites: the plan allocated nothing from them
    # held against the plan's own analysis: its allocation uses exactly these wet sites
    from geo_klaster.analysis.pipeline import run_analysis

    plan = run_analysis(GpkgStore(store).read_all(), skenario=PLAN, today=TODAY)
    used = set(plan.alokasi.loc[plan.alokasi["jumlah"] > 0, "lokasi_id"])
    assert used & expect["wet_sites"] == set(result_sites["lokasi_id"])
    from_wet = plan.alokasi[plan.alokasi["lokasi_id"].isin(expect["wet_sites"])]
    assert plan_lines["jumlah"].sum() == pytest.approx(from_wet["jumlah"].sum(), rel=1e-12)


def test_event_flags_every_wet_site(jakarta: Path, store: Path) -> None:
    """The event's own site flags equal shapely's point-in-water test (boundary included)."""
    from geo_klaster.analysis.pipeline import run_analysis

    expect = independent(jakarta, store.parent)
    result = run_analysis(GpkgStore(store).read_all(), skenario=EVENT, today=TODAY)
    wet = result.lokasi[result.lokasi["kelas_banjir"].fillna("") != ""]
    assert set(wet["lokasi_id"]) == expect["wet_sites"]


def test_cli_banding_writes_the_tables(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "banding"
    assert run(store, "banding", "--skenario", PLAN, "--skenario", EVENT,
               "--tanggal", TODAY.isoformat(), "--out", out) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert f"{EVENT} (kejadian, 2007-02-02 07:00 WIB): {AT_RISK_EVENT} kecamatan berisiko" in text
    assert f"kecamatan berisiko saat kejadian, tidak ditandai rencana: {MISSED}" in text
    kec = gpd.read_file(out / "banding_kecamatan.geojson")
    assert len(kec) == 42 and (kec["perubahan"] == "baru_berisiko").sum() == MISSED
    assert kec.crs.to_epsg() == 4326
