"""io.read_source(): files read into memory as they are, with what validation needs to say
where a problem is (row numbering, CRS), and clear refusals of what cannot be read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo_klaster import schema as schema_mod
from geo_klaster.errors import InputError, ValidationError
from geo_klaster.inputs.io import XlsxLimits, check_xlsx, parse_mapping, read_source

LOKASI = schema_mod.get("lokasi")


def test_csv_with_lon_lat_is_wgs84_points_numbered_from_line_2(tmp_path: Path) -> None:
    path = tmp_path / "lokasi.csv"
    path.write_text("id,anggota_id,nama,lon,lat\nG1,M,Gudang,107.1,-6.2\n", encoding="utf-8")
    src = read_source(path, LOKASI)
    assert src.crs is not None and src.crs.to_epsg() == 4326
    assert src.first_row == 2 and src.kind == "baris"
    geom = src.frame.geometry.iloc[0]
    assert (geom.x, geom.y) == (107.1, -6.2)


def test_mapping_renames_and_names_a_missing_source_column(tmp_path: Path) -> None:
    path = tmp_path / "lokasi.csv"
    path.write_text("KODE,anggota_id,NAMA,lon,lat\nG1,M,Gudang,107.1,-6.2\n", encoding="utf-8")
    src = read_source(path, LOKASI, mapping=parse_mapping(["KODE=id", "NAMA=nama"]))
    assert {"id", "nama"} <= set(src.frame.columns)
    with pytest.raises(ValidationError, match="--map"):
        read_source(path, LOKASI, mapping={"TIDAK_ADA": "id"})


def test_vector_file_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lokasi.gpkg"
    with pytest.warns(UserWarning, match="crs"):  # pyogrio warns it writes no CRS: the point
        gpd.GeoDataFrame(
            {"id": ["G1"], "anggota_id": ["M"], "nama": ["a"]}, geometry=[shapely.Point(107, -6)]
        ).to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match="--crs"):
        read_source(path, LOKASI)
    src = read_source(path, LOKASI, crs=gpd.GeoSeries(crs=4326).crs)
    assert src.first_row == 1 and src.kind == "fitur" and src.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("tidak_ada.csv", None, "tidak ditemukan"),
        ("lokasi.docx", b"x", "format tidak dikenal"),
        ("bahaya.tif", b"x", "raster hanya untuk lapisan zona_banjir"),
    ],
)
def test_unreadable_inputs_are_named(
    tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        read_source(path, LOKASI)


def test_xlsx_guard_refuses_a_zip_bomb_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    with pytest.raises(InputError, match="terlalu besar"):
        check_xlsx(bomb, XlsxLimits(inflated_bytes=1_000_000, cells=100))
    cells = tmp_path / "sel.xlsx"
    with zipfile.ZipFile(cells, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<row><c/><c/></row>" * 50)
    with pytest.raises(InputError, match="terlalu banyak sel"):
        check_xlsx(cells, XlsxLimits(inflated_bytes=1_000_000, cells=100))
    check_xlsx(cells, XlsxLimits(inflated_bytes=1_000_000, cells=150))  # 150 cells and rows
