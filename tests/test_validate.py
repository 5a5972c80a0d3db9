"""validate(): a read file against its layer schema — every problem named by row and field,
nothing returned unless all is valid."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from geo_klaster import schema as schema_mod
from geo_klaster.errors import ValidationError
from geo_klaster.inputs.io import Source
from geo_klaster.inputs.validate import Context, validate


def _table(rows: list[dict[str, object]], name: str = "uji.csv") -> Source:
    return Source(Path(name), pd.DataFrame(rows), "baris", 2, None, False)


def _points(coords: list[tuple[float, float]], **cols: list[object]) -> Source:
    frame = gpd.GeoDataFrame(cols, geometry=[shapely.Point(c) for c in coords], crs=4326)
    return Source(Path("lokasi.geojson"), frame, "fitur", 1, CRS.from_epsg(4326), True)


def _problems(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.field) for p in exc.value.problems]


def test_good_stock_rows_are_typed() -> None:
    src = _table([{"lokasi_id": "G1", "barang": "beras", "jumlah": "1000", "siap": "400",
                   "satuan": "kg", "kondisi": "baik", "dilaporkan": "2026-11-20"}])  # fmt: skip
    ctx = Context(keys={"lokasi": {"G1"}, "barang": {"beras"}}, units={"beras": "kg"})
    out = validate(src, schema_mod.get("stok"), ctx, mode="append").frame
    assert out.loc[0, "siap"] == 400.0
    assert out.loc[0, "dilaporkan"] == pd.Timestamp("2026-11-20")


def test_every_bad_row_is_named_with_its_line_number() -> None:
    src = _table(
        [
            {"lokasi_id": "G1", "barang": "beras", "jumlah": 10, "siap": 5, "satuan": "kg",
             "kondisi": "baik", "dilaporkan": "2026-11-20"},  # line 2: good
            {"lokasi_id": "G9", "barang": "beras", "jumlah": 10, "siap": 5, "satuan": "kg",
             "kondisi": "baik", "dilaporkan": "2026-11-20"},  # line 3: unknown site
            {"lokasi_id": "G1", "barang": "beras", "jumlah": -1, "siap": 0, "satuan": "kg",
             "kondisi": "baik", "dilaporkan": "2026-11-20"},  # line 4: negative quantity
        ]
    )  # fmt: skip
    ctx = Context(keys={"lokasi": {"G1"}, "barang": {"beras"}}, units={"beras": "kg"})
    with pytest.raises(ValidationError) as exc:
        validate(src, schema_mod.get("stok"), ctx, mode="append")
    rows = {r for r, _ in _problems(exc)}
    assert rows == {3, 4}
    assert "lokasi_id" in {f for r, f in _problems(exc) if r == 3}


def test_missing_required_column_names_the_columns_present() -> None:
    src = _table([{"kode": "32.16.01"}], "kecamatan.csv")
    with pytest.raises(ValidationError) as exc:
        validate(src, schema_mod.get("kecamatan"), Context())
    problem = exc.value.problems[0]
    assert problem.field == "nama" and "kode" in problem.message and "--map" in problem.message


def test_duplicate_keys_are_refused() -> None:
    src = _points(
        [(107.0, -6.2), (107.1, -6.3)], id=["G1", "G1"], anggota_id=["M", "M"], nama=["a", "b"]
    )
    with pytest.raises(ValidationError) as exc:
        validate(src, schema_mod.get("lokasi"), Context(keys={"anggota": {"M"}}))
    assert any(f == "id" for _, f in _problems(exc))


def test_swapped_coordinates_are_named_not_guessed() -> None:
    # (lat, lon) given as (x, y): -6.2, 107.0 is in the Indian Ocean as lon/lat
    src = _points([(107.0, -6.2), (-6.2, 107.0)], id=["G1", "G2"], anggota_id=["M", "M"],
                  nama=["a", "b"])  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        validate(src, schema_mod.get("lokasi"), Context(keys={"anggota": {"M"}}))
    [problem] = exc.value.problems
    assert (problem.row, problem.field) == (2, "geometry") and "tertukar" in problem.message
