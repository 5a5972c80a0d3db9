# ruff: noqa: F811 -- the fixture `base` is imported from test_import and named by the tests
"""Issue 11, input: numbers as Indonesians write them, plausible values, XLSX sheets,
duplicate items, value maps, case-insensitive classes, grouped problems, GDAL messages whole.

Every refusal asserts the message, exit code 2 and the store unchanged (sha256 of the
GeoPackage; row counts and data version on PostGIS).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from test_import import base, digest, run, write  # noqa: F401 -- `base` is a fixture
from web_akun import build_demo, csrf_from, fresh_store, login, make_app, site_of, state

from geo_klaster import schema as schema_mod
from geo_klaster.analysis.allocation import allocate
from geo_klaster.errors import InputError, Problem, ValidationError
from geo_klaster.inputs.io import Source, parse_value_maps
from geo_klaster.inputs.validate import Context, validate
from geo_klaster.store import GpkgStore, open_store

STOK_HEAD = "lokasi_id;barang;jumlah;siap;satuan;dilaporkan\n"


def jumlah_of(store: Path) -> list[float]:
    stok = GpkgStore(store).read("stok")
    return sorted(stok["jumlah"].tolist())


# -- 1. decimal mark decided per file --------------------------------------------------------


def test_semicolon_file_reads_dot_as_thousands(base: Path, tmp_path: Path) -> None:
    """Indonesian Excel: `;` separator, comma decimals: 1.250 is 1250 (not 1.25), 1.250,5 is
    1250.5."""
    path = write(
        tmp_path / "stok_id.csv",
        STOK_HEAD + "L1;beras;1.250;1.000;kg;2026-11-10\nL2;beras;1.250,5;12,5;kg;2026-11-10\n",
    )
    assert run(base, "import", "stok", path) == 0
    stok = GpkgStore(base).read("stok")
    new = stok[stok["dilaporkan"] == pd.Timestamp("2026-11-10")].sort_values("lokasi_id")
    assert new["jumlah"].tolist() == [1250.0, 1250.5]
    assert new["siap"].tolist() == [1000.0, 12.5]


def test_undecidable_file_is_refused_with_both_readings(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tab-separated, only `1.250`: nothing says which mark; refused naming row and readings."""
    path = write(
        tmp_path / "stok.tsv.csv",
        "lokasi_id\tbarang\tjumlah\tsiap\tsatuan\tdilaporkan\n"
        "L1\tberas\t7\t7\tkg\t2026-11-10\n"
        "L2\tberas\t1.250\t1\tkg\t2026-11-10\n",
    )
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert "baris 3, kolom 'jumlah': '1.250' bisa dibaca 1250 (desimal koma) atau 1.25" in err
    assert "--desimal koma|titik" in err
    assert digest(base) == before
    # the user decides: --desimal koma
    assert run(base, "import", "stok", path, "--desimal", "koma") == 0
    assert 1250.0 in jumlah_of(base)


def test_mixed_decimal_marks_are_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "stok.csv",
        STOK_HEAD + "L1;beras;2,5;1;kg;2026-11-10\nL2;beras;2.75;1;kg;2026-11-10\n",
    )
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert "tanda desimal tidak konsisten" in err
    assert "baris 2 kolom 'jumlah' '2,5' (desimal koma)" in err
    assert "baris 3 kolom 'jumlah' '2.75' (desimal titik)" in err
    assert digest(base) == before


def test_comma_separated_file_keeps_dot_decimals(base: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "stok.csv",
        "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,1.250,1,kg,2026-11-10\n",
    )
    assert run(base, "import", "stok", path) == 0
    assert 1.25 in jumlah_of(base)


# -- 2. plausible quantities, finite allocation ----------------------------------------------


@pytest.mark.parametrize("value", ["1e11", "1e308", "1000000001"])
def test_implausible_quantity_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    path = write(
        tmp_path / "stok.csv",
        f"lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,{value},0,kg,2026-11-10\n",
    )
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert "stok.csv, baris 2, kolom 'jumlah': nilai" in err
    assert "di atas batas wajar 1e+09 untuk beras" in err
    assert digest(base) == before


def test_quantity_bound_is_configurable_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    """maks_per_barang in schema.toml: a lower bound for one item, the default for others."""
    import dataclasses

    stok = schema_mod.get("stok")
    own = dataclasses.replace(stok, maks_per_barang=(("perahu_karet", 500.0),))
    frame = pd.DataFrame(
        {
            "lokasi_id": ["L1", "L1"],
            "barang": ["perahu_karet", "beras"],
            "jumlah": ["600", "600"],
            "siap": ["1", "1"],
            "satuan": ["unit", "kg"],
            "dilaporkan": ["2026-11-10", "2026-11-10"],
        }
    )
    ctx = Context(
        keys={"lokasi": {"L1"}, "barang": {"beras", "perahu_karet"}},
        units={"beras": "kg", "perahu_karet": "unit"},
    )
    with pytest.raises(ValidationError) as err:
        validate(Source(Path("s.csv"), frame, "baris", 2), own, ctx, mode="append")
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "jumlah")]
    assert "di atas batas wajar 500 untuk perahu_karet" in str(err.value)
    validate(Source(Path("s.csv"), frame, "baris", 2), stok, ctx, mode="append")  # default 1e9


def test_allocation_refuses_non_finite_input() -> None:
    supply = pd.DataFrame({"lokasi_id": ["L1"], "barang": ["beras"], "komit": [np.inf]})
    demand = pd.DataFrame({"kode": ["K1"], "barang": ["beras"], "kebutuhan": [100.0]})
    arcs = pd.DataFrame({"kode": ["K1"], "lokasi_id": ["L1"], "jarak_m": [1000.0]})
    with pytest.raises(InputError, match=r"alokasi: komit tidak terhingga.*L1 beras"):
        allocate(supply, demand, arcs)
    with pytest.raises(InputError, match=r"kebutuhan tidak terhingga"):
        allocate(supply.assign(komit=5.0), demand.assign(kebutuhan=np.inf), arcs)
    # finite input still allocates: 5 kg to K1
    out = allocate(supply.assign(komit=5.0), demand, arcs)
    assert out["jumlah"].tolist() == [5.0]


# -- 3. dilaporkan within [2000-01-01, now + 1 day] -----------------------------------------


@pytest.mark.parametrize(
    ("when", "words"),
    [("2099-01-01", "setelah batas sekarang + 1 hari"), ("1700-01-01", "sebelum 2000-01-01")],
)
def test_implausible_report_time_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], when: str, words: str
) -> None:
    path = write(
        tmp_path / "stok.csv",
        f"lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,5,5,kg,{when}\n",
    )
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert f"stok.csv, baris 2, kolom 'dilaporkan': waktu {when} 00:00:00 {words}" in err
    assert digest(base) == before


@pytest.mark.postgis
def test_implausible_report_time_leaves_postgis_unchanged(
    base: Path, tmp_path: Path, postgis_url: str, pg_conn: object
) -> None:
    import uuid

    from geo_klaster.store.copy import copy_store

    url = f"{postgis_url}?schema=t_{uuid.uuid4().hex[:12]}"
    try:
        copy_store(GpkgStore(base), open_store(url))
        pg = open_store(url)
        before = ({n: pg.count(n) for n in ("stok", "lokasi", "barang")}, pg.version())
        path = write(
            tmp_path / "stok.csv",
            "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\nL1,beras,5,5,kg,2099-01-01\n",
        )
        assert run(url, "import", "stok", path) == 2  # type: ignore[arg-type]
        after = ({n: pg.count(n) for n in ("stok", "lokasi", "barang")}, pg.version())
        assert after == before
    finally:
        pg_conn.execute(f'DROP SCHEMA IF EXISTS "{url.split("schema=")[1]}" CASCADE')  # type: ignore[attr-defined]


# -- 4. XLSX sheets --------------------------------------------------------------------------


def two_sheets(path: Path) -> Path:
    good = pd.DataFrame(
        [["L1", "beras", 9, 9, "kg", "2026-11-10"]],
        columns=["lokasi_id", "barang", "jumlah", "siap", "satuan", "dilaporkan"],
    )
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        good.to_excel(xl, sheet_name="November", index=False)
        good.assign(jumlah=11, lokasi_id="L2").to_excel(xl, sheet_name="Desember", index=False)
        pd.DataFrame().to_excel(xl, sheet_name="kosong", index=False)
    return path


def test_xlsx_with_data_on_two_sheets_is_refused_naming_them(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = two_sheets(tmp_path / "stok.xlsx")
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert "stok.xlsx: 2 lembar berisi data / several sheets hold data: November, Desember" in err
    assert "--sheet NAMA" in err
    assert digest(base) == before
    assert run(base, "import", "stok", path, "--sheet", "Nope") == 2
    assert "lembar 'Nope' tidak ada" in capsys.readouterr().err
    assert digest(base) == before
    assert run(base, "import", "stok", path, "--sheet", "Desember") == 0
    assert 11.0 in jumlah_of(base) and 9.0 not in jumlah_of(base)


def test_cli_xlsx_is_checked_before_it_is_parsed(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI refuses a sheet of millions of tiny cells before openpyxl parses it (a 300 MB
    sheet used to run 25.6 s before failing)."""
    import zipfile

    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<c/>" * 5_100_000)
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert "bom.xlsx: berkas .xlsx berisi terlalu banyak sel (5100000 > 5000000)" in err
    assert digest(base) == before


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("issue11") / "demo.gpkg")


def test_web_upload_names_the_sheets_and_takes_one(demo: Path, tmp_path: Path) -> None:
    path, _ = fresh_store(demo, tmp_path)
    client = make_app(path).test_client()
    login(client, "a1")
    site = site_of(path, "AGT-001")
    frame = pd.DataFrame([["beras", 40, 20]], columns=["barang", "jumlah", "siap"])
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name="Gudang A", index=False)
        frame.to_excel(xl, sheet_name="Gudang B", index=False)

    def upload(**extra: str) -> object:
        token = csrf_from(client, f"/laporan/{site}")
        return client.post(
            f"/laporan/{site}/unggah",
            data={
                "csrf_token": token,
                "berkas": (io.BytesIO(buf.getvalue()), "stok.xlsx"),
                **extra,
            },
            content_type="multipart/form-data",
        )

    before = state(path)
    resp = upload()
    assert resp.status_code == 400  # type: ignore[attr-defined]
    page = resp.data.decode()  # type: ignore[attr-defined]
    assert "stok.xlsx: 2 lembar berisi data / several sheets hold data: Gudang A, Gudang B" in page
    assert state(path) == before
    assert upload(sheet="Gudang B").status_code == 303  # type: ignore[attr-defined]


def test_web_upload_lists_a_recurring_problem_once(demo: Path, tmp_path: Path) -> None:
    path, _ = fresh_store(demo, tmp_path)
    client = make_app(path).test_client()
    login(client, "a1")
    site = site_of(path, "AGT-001")
    items = ["beras", "air_minum", "air_bersih", "mi_instan", "tenda", "terpal", "selimut"]
    body = "barang,jumlah,siap,kondisi\n" + "".join(f"{b},5,5,HILANG\n" for b in items)
    token = csrf_from(client, f"/laporan/{site}")
    resp = client.post(
        f"/laporan/{site}/unggah",
        data={"csrf_token": token, "berkas": (io.BytesIO(body.encode()), "stok.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    page = resp.data.decode()
    assert page.count("nilai &#39;HILANG&#39; tidak dikenal") == 1
    assert "(7 baris: 2, 3, 4, 5, 6, ...)" in page


# -- 5. one item twice in one report ---------------------------------------------------------


def test_item_twice_in_one_report_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "stok.csv",
        "lokasi_id,barang,jumlah,siap,satuan,dilaporkan\n"
        "L1,beras,5,5,kg,2026-11-10\n"
        "L1,beras,9,9,kg,2026-11-10\n"
        "L2,beras,9,9,kg,2026-11-10\n",
    )
    before = digest(base)
    assert run(base, "import", "stok", path) == 2
    err = capsys.readouterr().err
    assert (
        "stok.csv, baris 3, kolom 'barang': barang 'beras' disebut dua kali dalam satu "
        "laporan lokasi L1 (juga di baris 2)"
    ) in err
    assert digest(base) == before


# -- 6. value maps, uppercase classes, grouped problems --------------------------------------


def flood_file(path: Path, n: int, props: object) -> Path:
    """``n`` small squares in Cikarang, properties from ``props(i)``."""
    feats = []
    for i in range(n):
        x, y = 107.11 + (i % 25) * 0.003, -6.39 + (i // 25) * 0.003
        geom = shapely.geometry.mapping(shapely.box(x, y, x + 0.002, y + 0.002))
        feats.append({"type": "Feature", "properties": props(i), "geometry": geom})  # type: ignore[operator]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def test_565_uppercase_classes_import_without_a_detour(base: Path, tmp_path: Path) -> None:
    classes = ["TINGGI", "Sedang", "RENDAH"]
    path = flood_file(
        tmp_path / "banjir.geojson", 565, lambda i: {"kelas": classes[i % 3], "skenario": "s1"}
    )
    assert run(base, "import", "zona_banjir", path) == 0
    zona = GpkgStore(base).read("zona_banjir")
    assert zona["kelas"].value_counts().to_dict() == {"tinggi": 189, "sedang": 188, "rendah": 188}


def test_565_bad_features_give_one_line_per_distinct_problem(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong class in all 565 features and no skenario column: two lines (and the total)
    in one round, not 565 lines after a round about skenario alone."""
    path = flood_file(tmp_path / "banjir.geojson", 565, lambda i: {"kelas": "X"})
    before = digest(base)
    assert run(base, "import", "zona_banjir", path) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 4, err  # header, skenario, kelas, total
    assert "banjir.geojson, kolom 'skenario': kolom wajib tidak ada" in lines[1]
    assert lines[2].startswith("  banjir.geojson, kolom 'kelas': nilai 'X' tidak dikenal")
    assert "huruf besar/kecil tidak dibedakan" in lines[2]
    assert lines[2].endswith("(565 fitur: 1, 2, 3, 4, 5, ...)")
    assert lines[3] == "  Jumlah / total: 566 masalah, 2 jenis / 566 problems of 2 kinds"
    assert digest(base) == before


def test_petabencana_states_mapped_to_classes(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = flood_file(tmp_path / "pb.geojson", 8, lambda i: {"state": i % 4 + 1, "skenario": "pb"})
    before = digest(base)
    # without the map: refused, one line for each distinct unknown value
    assert run(base, "import", "zona_banjir", path, "--map", "state=kelas") == 2
    err = capsys.readouterr().err
    assert "nilai '1' tidak dikenal" in err and "(2 fitur: 1, 5)" in err
    assert digest(base) == before
    args = ("--map", "state=kelas", "--map-nilai", "kelas:1=rendah,2=rendah,3=sedang,4=tinggi")
    assert run(base, "import", "zona_banjir", path, *args) == 0
    assert "--map-nilai kelas: 8 nilai diubah" in capsys.readouterr().out
    zona = GpkgStore(base).read("zona_banjir")
    assert zona["kelas"].value_counts().to_dict() == {"rendah": 4, "sedang": 2, "tinggi": 2}


def test_map_nilai_names_a_missing_column_and_bad_syntax(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = flood_file(tmp_path / "pb.geojson", 2, lambda i: {"state": 1, "skenario": "pb"})
    before = digest(base)
    assert run(base, "import", "zona_banjir", path, "--map-nilai", "kelas:1=rendah") == 2
    err = capsys.readouterr().err
    assert "pb.geojson, kolom 'kelas': --map-nilai: kolom tidak ada (sesudah --map)" in err
    assert "kolom yang ada: state, skenario" in err
    assert run(base, "import", "zona_banjir", path, "--map-nilai", "kelas=1") == 2
    assert "--map-nilai: harus berbentuk KOLOM:SUMBER=TUJUAN" in capsys.readouterr().err
    assert digest(base) == before
    assert parse_value_maps(["kelas:1=rendah, 2=sedang"]) == {
        "kelas": {"1": "rendah", "2": "sedang"}
    }


def test_problems_grouped_with_count_and_first_five() -> None:
    problems = [Problem("nilai 'X' salah", i, "kelas", "X", "fitur") for i in range(1, 8)]
    problems.append(Problem("geometri kosong", 9, "geometry", None, "fitur"))
    text = str(ValidationError("f.geojson", problems))
    assert "f.geojson, kolom 'kelas': nilai 'X' salah (7 fitur: 1, 2, 3, 4, 5, ...)" in text
    assert "f.geojson, fitur 9, kolom 'geometry': geometri kosong" in text
    assert "Jumlah / total: 8 masalah, 2 jenis" in text


# -- 7. GDAL's message whole -----------------------------------------------------------------


def test_gdal_message_is_whole(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "kosong.geojson", "")
    before = digest(base)
    assert run(base, "import", "zona_banjir", path) == 2
    err = capsys.readouterr().err
    assert "kosong.geojson: berkas tidak bisa dibaca / unreadable file:" in err
    assert err.rstrip().endswith("e.g. 'CSV:path'."), err
    assert digest(base) == before
