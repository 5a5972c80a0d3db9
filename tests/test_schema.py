"""The layer schemas are declared once; the README's table is generated from them."""

from __future__ import annotations

from pathlib import Path

from geo_klaster import schema

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_layer_table_matches_schema() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- layer-table:start -->") + len("<!-- layer-table:start -->")
    end = text.index("<!-- layer-table:end -->")
    assert text[start:end].strip() == schema.markdown_table()


def test_schema_declares_design_layers_and_keys() -> None:
    s = schema.schemas()
    assert list(s) == [
        "kecamatan",
        "desa",
        "zona_banjir",
        "anggota",
        "lokasi",
        "stok",
        "barang",
        "jalan",
    ]
    assert {n: v.key for n, v in s.items()} == {
        "kecamatan": "kode",
        "desa": "kode_desa",
        "zona_banjir": None,
        "anggota": "id",
        "lokasi": "id",
        "stok": None,
        "barang": "kode",
        "jalan": None,
    }
    assert s["jalan"].geometry == "MultiLineString"
    assert s["jalan"].field("kecepatan").gt == 0
    assert s["stok"].field("barang").ref == ("barang", "kode")
    assert s["anggota"].personal_fields == ["kontak", "telepon"]
    assert s["zona_banjir"].field("kelas").enum == ("rendah", "sedang", "tinggi")
