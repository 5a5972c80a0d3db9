"""QGIS styles inside a GeoPackage, so its main layers open styled in QGIS.

QGIS keeps a layer's default style in the ``layer_styles`` table of the GeoPackage (the
columns QGIS itself creates: ``f_table_catalog, f_table_schema, f_table_name,
f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui,
update_time``), registered in ``gpkg_contents`` as an attribute table. A row with
``useAsDefault`` set is applied when the layer is added. The styles here are QML documents
(QGIS 3) with the colours of the web maps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from xml.sax.saxutils import quoteattr

# The web maps' colours (geo_klaster.maps.vocab; a test holds them equal). Written here, not
# imported: results sit below the maps in the package's layers.
WARNA_BERISIKO = "#f03b20"
WARNA_TIDAK_BERISIKO = "#f7f7f7"
WARNA_KELAS = {"rendah": "#c6dbef", "sedang": "#6baed6", "tinggi": "#2171b5"}
WARNA_ALOKASI = "#08519c"

TABLE = "layer_styles"

_CREATE = f"""
CREATE TABLE IF NOT EXISTS "{TABLE}" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "f_table_catalog" TEXT(256),
    "f_table_schema" TEXT(256),
    "f_table_name" TEXT(256),
    "f_geometry_column" TEXT(256),
    "styleName" TEXT(30),
    "styleQML" TEXT,
    "styleSLD" TEXT,
    "useAsDefault" BOOLEAN,
    "description" TEXT,
    "owner" TEXT(30),
    "ui" TEXT(30),
    "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def _rgb(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _options(values: dict[str, str]) -> str:
    rows = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
        for k, v in values.items()
    )
    return f'<Option type="Map">{rows}</Option>'


def _symbol(kind: str, name: str, colour: str, *, outline: str = "#505050") -> str:
    """One QGIS symbol: ``fill`` (polygon), ``marker`` (point) or ``line``."""
    if kind == "fill":
        cls, opts = (
            "SimpleFill",
            {
                "color": _rgb(colour, 190),
                "outline_color": _rgb(outline),
                "outline_width": "0.3",
                "outline_width_unit": "MM",
                "style": "solid",
            },
        )
    elif kind == "marker":
        cls, opts = (
            "SimpleMarker",
            {
                "color": _rgb(colour),
                "outline_color": _rgb("#ffffff"),
                "outline_width": "0.3",
                "name": "circle",
                "size": "2.6",
                "size_unit": "MM",
            },
        )
    else:
        cls, opts = (
            "SimpleLine",
            {
                "line_color": _rgb(colour, 160),
                "line_width": "0.6",
                "line_width_unit": "MM",
                "line_style": "solid",
            },
        )
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0"><layer class="{cls}" enabled="1" locked="0" pass="0">'
        f"{_options(opts)}</layer></symbol>"
    )


def _document(renderer: str, labels: str = "") -> str:
    enabled = "1" if labels else "0"
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="3.28.0" styleCategories="Symbology|Labeling" labelsEnabled="{enabled}">'
        f"{renderer}{labels}</qgis>"
    )


def categorized(
    kind: str, field: str, categories: Sequence[tuple[str, str, str]], *, label: str = ""
) -> str:
    """A QML document colouring features by the value of ``field``.

    ``categories``: ``(value, label, colour #rrggbb)``; ``label`` names a field to label
    features with (polygons), or ''.
    """
    cats = "".join(
        f'<category symbol="{i}" value={quoteattr(v)} label={quoteattr(lab)} render="true"/>'
        for i, (v, lab, _) in enumerate(categories)
    )
    symbols = "".join(_symbol(kind, str(i), c) for i, (_, _, c) in enumerate(categories))
    renderer = (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(field)} symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{cats}</categories>'
        f"<symbols>{symbols}</symbols></renderer-v2>"
    )
    labels = ""
    if label:
        labels = (
            '<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName={quoteattr(label)} fontSize="8" textColor="40,40,40,255"/>'
            '<placement placement="1"/></settings></labeling>'
        )
    return _document(renderer, labels)


def single(kind: str, colour: str) -> str:
    """A QML document drawing every feature with one symbol."""
    renderer = (
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{_symbol(kind, '0', colour)}</symbols></renderer-v2>"
    )
    return _document(renderer)


def default_styles() -> dict[str, tuple[str, str]]:
    """The styled layers: name → (QML, description in Bahasa Indonesia)."""
    return {
        "hasil_kecamatan_risiko": (
            categorized(
                "fill",
                # an expression: the field is a boolean in QGIS, 0/1 in SQLite
                "CASE WHEN \"berisiko\" THEN 'ya' ELSE 'tidak' END",
                [
                    ("ya", "berisiko", WARNA_BERISIKO),
                    ("tidak", "tidak berisiko", WARNA_TIDAK_BERISIKO),
                ],
                label="nama",
            ),
            "Kecamatan menurut risiko banjir",
        ),
        "hasil_lokasi_banjir": (
            categorized(
                "marker",
                "status_stok",
                [
                    ("tersedia", "stok tersedia", "#1b9e77"),
                    ("berisiko", "berisiko (lokasi tergenang)", "#fd8d3c"),
                    ("tidak_tersedia", "tidak tersedia (tergenang berat)", "#bd0026"),
                ],
            ),
            "Lokasi menurut status stok",
        ),
        "hasil_alokasi": (single("line", WARNA_ALOKASI), "Garis alokasi"),
        "zona_banjir": (
            categorized("fill", "kelas", [(k, k.capitalize(), c) for k, c in WARNA_KELAS.items()]),
            "Zona banjir menurut kelas",
        ),
    }


def write_styles(path: str | Path, layers: Iterable[str] | None = None) -> list[str]:
    """Add the default QGIS style of each styled layer present in GeoPackage ``path``.

    Creates ``layer_styles`` when missing (registered in ``gpkg_contents``), replaces this
    module's earlier rows for the same layers. ``layers`` limits which ones (default all).
    Returns the layers styled.
    """
    styles = default_styles()
    wanted = set(styles if layers is None else layers) & set(styles)
    with closing(sqlite3.connect(path)) as con, con:
        present = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT c.table_name, g.column_name FROM gpkg_contents c "
                "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name"
            )
        }
        done = sorted(n for n in wanted if n in present)
        con.execute(_CREATE)
        con.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES (?, 'attributes', ?)",
            (TABLE, TABLE),
        )
        for name in done:
            qml, description = styles[name]
            con.execute(
                f'DELETE FROM "{TABLE}" WHERE f_table_name = ? AND owner = ?', (name, "geo_klaster")
            )
            con.execute(
                f'INSERT INTO "{TABLE}" (f_table_catalog, f_table_schema, f_table_name, '
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, 'geo_klaster', '')",
                (name, present[name], name, qml, description),
            )
    return done
