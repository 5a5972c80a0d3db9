"""The results catalogue: one declaration per result table, and the tables built from it.

Every container that carries an analysis result — ``analyze``'s ``hasil.gpkg``, the API's
``/api/export.gpkg``, the OGC API collections — names it and picks its columns here, so a
QGIS project keeps working when it switches from one source to another. The files
``analyze`` writes keep their own names (:attr:`ResultTable.file`).

A new result column is declared in :data:`CATALOGUE` (or in the column list of the module
that computes it, which the catalogue refers to), never picked again by a caller.

The page tables (the allocation with member, site, kecamatan and item names; one
kecamatan's gaps; the gaps of one item; the reach of any kecamatan) are pure functions of an
:class:`~geo_klaster.analysis.pipeline.AnalysisResult` and the names the caller holds.
All geometries are WGS84 (EPSG:4326); distances ``jarak_m`` in metres; quantities in the
item's catalogue unit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_klaster.analysis.exposure import KOLOM as KOLOM_EXPOSURE
from geo_klaster.analysis.gaps import KOLOM as KOLOM_GAP
from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.analysis.reach import reach

PARAMETER_NOTE = " Parameter: skenario, jarak_km, hari."


@dataclass(frozen=True)
class ResultTable:
    """One result table as every container shows it.

    Attributes
    ----------
    name
        The table's name in every container (GeoPackage layer, OGC collection id).
    source
        The :class:`AnalysisResult` attribute it is taken from.
    key
        Columns that identify a row (joined with ``:`` into an OGC feature id).
    columns
        The attribute columns, in order (``geometry`` is added for spatial tables).
    title, description
        What a user reads (Bahasa Indonesia).
    geometry
        Whether the table has a geometry column (else: an attribute table).
    file
        The file ``analyze`` writes it to (None: only in ``hasil.gpkg``).
    """

    name: str
    source: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    title: str
    description: str
    geometry: bool
    file: str | None = None


# exposure columns without the population basis (an internal choice of the overlay)
KOLOM_KECAMATAN = tuple(c for c in KOLOM_EXPOSURE if c != "dasar_penduduk")
KOLOM_LOKASI = (
    "lokasi_id",
    "anggota_id",
    "nama",
    "kelas_banjir",
    "status_stok",
    "laporan_terakhir",
    "usang",
)
KOLOM_JANGKAUAN = ("kode", "lokasi_id", "jarak_m", "waktu_menit", "terputus", "alasan")
KOLOM_ALOKASI = (
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
)
KOLOM_KEBUTUHAN = ("kode", "barang", "satuan", "kebutuhan", "ilustratif", "berisiko")

CATALOGUE: dict[str, ResultTable] = {
    t.name: t
    for t in (
        ResultTable(
            "hasil_kecamatan_risiko",
            "kecamatan",
            ("kode",),
            KOLOM_KECAMATAN,
            "Hasil: risiko banjir per kecamatan",
            "Luas dan porsi banjir, penduduk terdampak dan pengungsi per kecamatan untuk "
            "skenario yang dipilih; berisiko bila porsi banjir mencapai ambang.",
            True,
            "kecamatan_risiko.geojson",
        ),
        ResultTable(
            "hasil_lokasi_banjir",
            "lokasi",
            ("lokasi_id",),
            KOLOM_LOKASI,
            "Hasil: lokasi di zona banjir",
            "Setiap lokasi dengan kelas banjir di tempatnya dan status stoknya "
            "(tersedia, berisiko, tidak tersedia).",
            True,
            "lokasi_banjir.geojson",
        ),
        ResultTable(
            "hasil_alokasi",
            "alokasi",
            ("kode", "barang", "lokasi_id"),
            KOLOM_ALOKASI,
            "Hasil: alokasi (draf rencana aksi)",
            "Garis dari lokasi ke kecamatan: siapa mengirim apa, berapa (satuan katalog) "
            "dan sejauh apa (meter; dengan jangkauan jalan juga waktu tempuh, menit).",
            True,
            "alokasi.geojson",
        ),
        ResultTable(
            "hasil_jangkauan",
            "jangkauan",
            ("kode", "lokasi_id"),
            KOLOM_JANGKAUAN,
            "Hasil: jangkauan lokasi per kecamatan berisiko",
            "Pasangan kecamatan berisiko dan lokasi dalam jangkauan, jarak garis lurus (meter); "
            "dengan jangkauan jalan juga waktu tempuh (menit) dan pasangan yang terputus "
            "banjir (terputus, alasan). Tabel atribut (tanpa geometri).",
            False,
            "jangkauan.csv",
        ),
        ResultTable(
            "hasil_kebutuhan",
            "kebutuhan",
            ("kode", "barang"),
            KOLOM_KEBUTUHAN,
            "Hasil: kebutuhan per kecamatan dan barang",
            "Pengungsi × standar kebutuhan minimum × hari tanggap darurat (satuan katalog; "
            "barang bulat dibulatkan ke atas per kecamatan); kecamatan berisiko dan di bawah "
            "ambang (berisiko = false). Tabel atribut (tanpa geometri).",
            False,
        ),
        ResultTable(
            "hasil_gap",
            "gap",
            ("kode", "barang"),
            tuple(KOLOM_GAP),
            "Hasil: kesenjangan per kecamatan dan barang",
            "Kebutuhan, stok terjangkau, teralokasi dan kekurangan (= kebutuhan − teralokasi; "
            "satuan katalog) dengan alasan bila teralokasi < terjangkau; kecamatan di bawah "
            "ambang (berisiko = false) tercantum tanpa alokasi. Tabel atribut (tanpa geometri).",
            False,
            "gap.csv",
        ),
    )
}
NAMES = tuple(CATALOGUE)

# -- comparison of scenarios (geo_klaster.results.banding) -------------------------------------------

_AB = ("skenario_a", "skenario_b")
#: The tables of a scenario comparison (:class:`geo_klaster.results.banding.Banding`), as
#: ``banding --out`` writes them; ``source`` is the Banding attribute.
BANDING: dict[str, ResultTable] = {
    t.name: t
    for t in (
        ResultTable(
            "banding_ringkasan",
            "ringkasan",
            ("skenario",),
            (
                "skenario",
                "jenis",
                "waktu",
                "kecamatan_berisiko",
                "pengungsi",
                "pengungsi_tidak_diketahui",
                "lokasi_banjir",
                "lokasi_tidak_tersedia",
                "kekurangan_barang",
            ),
            "Banding: ringkasan per skenario",
            "Per skenario: jenis (rencana/kejadian), waktu (UTC), kecamatan berisiko, "
            "pengungsi, lokasi di zona banjir, barang dengan kekurangan.",
            False,
            "banding_ringkasan.csv",
        ),
        ResultTable(
            "banding_barang",
            "barang",
            ("skenario", "barang"),
            ("skenario", "barang", "satuan", "kebutuhan", "teralokasi", "kekurangan"),
            "Banding: kekurangan per skenario dan barang",
            "Jumlah kecamatan berisiko (satuan katalog), seperti ringkasan analisis.",
            False,
            "banding_barang.csv",
        ),
        ResultTable(
            "banding_kecamatan",
            "kecamatan",
            (*_AB, "kode"),
            (
                *_AB,
                "kode",
                "nama",
                "berisiko_a",
                "berisiko_b",
                "porsi_banjir_a",
                "porsi_banjir_b",
                "pengungsi_a",
                "pengungsi_b",
                "selisih_pengungsi",
                "perubahan",
            ),
            "Banding: perubahan status kecamatan",
            "Berisiko di A dan/atau B, porsi banjir (0-1), pengungsi (jiwa, di kecamatan "
            "berisiko) dan perubahan: baru_berisiko (di B, tidak di A), tetap_berisiko, "
            "tidak_lagi, aman.",
            True,
            "banding_kecamatan.geojson",
        ),
        ResultTable(
            "banding_gap",
            "gap",
            (*_AB, "kode", "barang"),
            (
                *_AB,
                "kode",
                "nama",
                "barang",
                "satuan",
                "kebutuhan_a",
                "kebutuhan_b",
                "kekurangan_a",
                "kekurangan_b",
                "selisih",
            ),
            "Banding: kekurangan per kecamatan dan barang",
            "Kekurangan di A dan B dan selisihnya (B - A), satuan katalog.",
            False,
            "banding_gap.csv",
        ),
        ResultTable(
            "banding_lokasi",
            "lokasi",
            ("rencana", "kejadian", "lokasi_id"),
            (
                "rencana",
                "kejadian",
                "lokasi_id",
                "nama",
                "anggota_id",
                "kelas_rencana",
                "kelas_kejadian",
                "status_kejadian",
                "baris_alokasi",
            ),
            "Banding: lokasi tergenang yang diandalkan rencana",
            "Lokasi di genangan kejadian yang stoknya dialokasikan oleh skenario rencana.",
            True,
            "banding_lokasi.geojson",
        ),
        ResultTable(
            "banding_alokasi",
            "alokasi",
            ("rencana", "kejadian", "lokasi_id", "kode", "barang"),
            (
                "rencana",
                "kejadian",
                "lokasi_id",
                "anggota_id",
                "kode",
                "barang",
                "jumlah",
                "satuan",
                "jarak_m",
                "kelas_kejadian",
                "status_kejadian",
            ),
            "Banding: stok rencana dari lokasi yang tergenang",
            "Baris alokasi rencana dari lokasi yang tergenang saat kejadian (satuan katalog, "
            "jarak meter).",
            False,
            "banding_alokasi.csv",
        ),
    )
}


def banding_table(banding: Any, name: str) -> pd.DataFrame:
    """Comparison table ``name`` (:data:`BANDING`) with exactly its columns; the spatial ones
    as GeoDataFrames (EPSG:4326) with the kecamatan's or the site's geometry."""
    t = BANDING[name]
    frame = getattr(banding, t.source)[list(t.columns)]
    if not t.geometry:
        return pd.DataFrame(frame).reset_index(drop=True)
    geom = banding.geom_kecamatan if "kode" in t.key else banding.geom_lokasi
    key = "kode" if "kode" in t.key else "lokasi_id"
    return gpd.GeoDataFrame(
        frame.reset_index(drop=True),
        geometry=gpd.GeoSeries(geom.reindex(frame[key]).to_numpy(), crs=4326),
        crs=4326,
    )


def table(result: AnalysisResult, name: str) -> pd.DataFrame:
    """Result table ``name`` with exactly its catalogue columns (and geometry, if spatial).

    Raises ``KeyError`` for a name not in :data:`CATALOGUE`.
    """
    t = CATALOGUE[name]
    frame = getattr(result, t.source)
    cols = [*t.columns, "geometry"] if t.geometry else list(t.columns)
    out = frame[cols]
    return out if t.geometry else pd.DataFrame(out)


def tables(result: AnalysisResult) -> dict[str, pd.DataFrame]:
    """Every result table of the catalogue, by name, in catalogue order."""
    return {name: table(result, name) for name in CATALOGUE}


def feature_ids(name: str, frame: pd.DataFrame) -> list[str | int]:
    """Row ids of a result table: its key columns joined by ``:`` (``32.16.02:beras``).

    Row numbers from 1 when the joined keys are not unique.
    """
    t = CATALOGUE[name]
    parts = [frame[k].astype(str).reset_index(drop=True) for k in t.key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ":" + part
    return list(joined) if joined.is_unique else list(range(1, len(frame) + 1))


# -- page tables ---------------------------------------------------------------------------


def _names(frame: pd.DataFrame | None, key: str, value: str = "nama") -> dict[str, str]:
    if frame is None or frame.empty or key not in frame or value not in frame:
        return {}
    return dict(zip(frame[key].astype(str), frame[value].astype(str), strict=True))


def allocation_with_names(
    result: AnalysisResult,
    *,
    anggota: pd.DataFrame | None = None,
    nama_barang: Mapping[str, str] | Callable[[str], str] | None = None,
    barang: str | None = None,
    kode: str | None = None,
    sort: Sequence[str] = ("anggota", "lokasi", "barang", "kode"),
) -> pd.DataFrame:
    """The allocation with the names a reader needs, without geometry.

    Parameters
    ----------
    anggota
        The member layer (``id``, ``nama``); a member without a name shows its id.
    nama_barang
        Item names by code (a mapping or a function); the code when unknown.
    barang, kode
        Keep only this item / this kecamatan.
    sort
        Columns to sort by (stable).

    Returns
    -------
    pandas.DataFrame
        :data:`KOLOM_ALOKASI` plus ``anggota`` (member name), ``lokasi`` (site name),
        ``kecamatan`` (kecamatan name) and ``nama`` (item name); quantities in the item's
        catalogue unit, ``jarak_m`` in metres.
    """
    alok = pd.DataFrame(result.alokasi.drop(columns="geometry"))
    if barang is not None:
        alok = alok[alok["barang"] == barang]
    if kode is not None:
        alok = alok[alok["kode"] == kode]
    members = _names(anggota, "id")
    sites = _names(result.lokasi, "lokasi_id")
    kec = _names(result.kecamatan, "kode")
    item = _item_name(nama_barang)
    out = alok.assign(
        anggota=pd.Series(
            [members.get(str(a), str(a)) for a in alok["anggota_id"]], index=alok.index, dtype=str
        ),
        lokasi=pd.Series(
            [sites.get(str(i), str(i)) for i in alok["lokasi_id"]], index=alok.index, dtype=str
        ),
        kecamatan=pd.Series(
            [kec.get(str(k), str(k)) for k in alok["kode"]], index=alok.index, dtype=str
        ),
        nama=pd.Series([item(str(b)) for b in alok["barang"]], index=alok.index, dtype=str),
    )
    return out.sort_values(list(sort), kind="stable").reset_index(drop=True)


def _item_name(
    nama_barang: Mapping[str, str] | Callable[[str], str] | None,
) -> Callable[[str], str]:
    if nama_barang is None:
        return lambda b: b
    if callable(nama_barang):
        return nama_barang
    names = dict(nama_barang)
    return lambda b: names.get(b, b)


def gap_with_names(result: AnalysisResult) -> pd.DataFrame:
    """``hasil_gap`` with the kecamatan's name (``nama``) after ``kode`` (the gap download)."""
    out = table(result, "hasil_gap").copy()
    out.insert(1, "nama", out["kode"].map(result.kecamatan.set_index("kode")["nama"]))
    return out


def gap_of_kecamatan(
    result: AnalysisResult,
    kode: str,
    *,
    nama_barang: Mapping[str, str] | Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """One kecamatan's gaps by item: ``hasil_gap`` rows with ``ilustratif`` and ``nama``."""
    item = _item_name(nama_barang)
    gap = result.gap[result.gap["kode"] == kode].merge(
        result.kebutuhan[["kode", "barang", "ilustratif"]], on=["kode", "barang"], how="left"
    )
    gap = gap.assign(nama=[item(str(b)) for b in gap["barang"]])
    return gap.sort_values("barang").reset_index(drop=True)


def gap_of_item(result: AnalysisResult, barang: str) -> pd.DataFrame:
    """The kecamatan with a need (or an unknown one) of one item: ``hasil_gap`` rows of
    ``barang`` with the kecamatan's ``nama``; the at-risk ones first (unknown needs, then the
    largest shortfall), then those *di bawah ambang* (not allocated to; ``alasan`` says so).
    """
    names = result.kecamatan.set_index("kode")["nama"]
    out = result.gap[result.gap["barang"] == barang].assign(nama=lambda d: d["kode"].map(names))
    out = out[out["kebutuhan"].fillna(1) > 0]
    return out.sort_values(
        ["berisiko", "kekurangan"], ascending=[False, False], na_position="first", kind="stable"
    )


def gap_by_item(
    result: AnalysisResult,
    *,
    nama_barang: Mapping[str, str] | Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Totals per item over the at-risk kecamatan (those the allocation serves): ``barang,
    satuan, kebutuhan, teralokasi, kekurangan, nama`` (NaN where every need is unknown), by
    item name. The kecamatan *di bawah ambang* are listed by :func:`below_threshold`."""
    item = _item_name(nama_barang)
    return (
        result.gap[result.gap["berisiko"]]
        .groupby(["barang", "satuan"], as_index=False)[["kebutuhan", "teralokasi", "kekurangan"]]
        .sum(min_count=1)
        .assign(nama=lambda d: [item(str(b)) for b in d["barang"]])
        .sort_values("nama")
        .reset_index(drop=True)
    )


def items_with_need(
    result: AnalysisResult,
    *,
    nama_barang: Mapping[str, str] | Callable[[str], str] | None = None,
) -> list[tuple[str, str, str]]:
    """Items that have a need in this analysis: ``(kode, nama, satuan)``, by name."""
    item = _item_name(nama_barang)
    g = result.gap.drop_duplicates("barang")
    items = [(str(b), item(str(b)), str(u)) for b, u in zip(g["barang"], g["satuan"], strict=True)]
    return sorted(items, key=lambda t: t[1].lower())


def reach_of_kecamatan(result: AnalysisResult, kode: str) -> pd.DataFrame:
    """``lokasi_id, jarak_m`` (metres), ``waktu_menit`` (road reach; NaN in straight-line
    mode) of the sites within reach of ``kode``, nearest (by road: fastest) first.

    At-risk kecamatan take the analysis' own reach table; for the others (the analysis
    computes reach only where it is needed) :func:`geo_klaster.analysis.reach.reach` runs for that
    one kecamatan in its own metric CRS (``result.crs_untuk(kode)``). Raises ``KeyError``
    for an unknown ``kode``.
    """
    kec = result.kecamatan[result.kecamatan["kode"] == kode]
    if kec.empty:
        raise KeyError(kode)
    if bool(kec["berisiko"].iloc[0]):
        j = result.jangkauan_pakai()
        j = j[j["kode"] == kode]
    else:
        crs = result.crs_untuk(kode)  # the kecamatan's own UTM zone (multi-zone data)
        sites = result.lokasi[["lokasi_id", "geometry"]]
        j = reach(
            gpd.GeoDataFrame(kec[["kode", "geometry"]]).to_crs(crs),
            sites.to_crs(crs),
            jarak_m=result.config.jarak_km * 1000.0,
        )
    if "waktu_menit" not in j:
        j = j.assign(waktu_menit=np.nan)
    key = "waktu_menit" if result.config.jangkauan == "jalan" else "jarak_m"
    out = j[["lokasi_id", "jarak_m", "waktu_menit"]].sort_values([key, "jarak_m"], kind="stable")
    return out.reset_index(drop=True)


def below_threshold(result: AnalysisResult) -> pd.DataFrame:
    """The kecamatan *di bawah ambang*: displaced people, but a flooded share below the at-risk
    threshold, so no allocation. ``kode, nama, porsi_banjir, pengungsi``, most displaced first.
    """
    kec = result.kecamatan
    rows = kec[~kec["berisiko"].astype(bool) & (kec["pengungsi"].fillna(0) > 0)]
    cols = ["kode", "nama", "porsi_banjir", "pengungsi"]
    return pd.DataFrame(rows[cols]).sort_values("pengungsi", ascending=False, kind="stable")


def at_risk(result: AnalysisResult) -> gpd.GeoDataFrame:
    """The at-risk kecamatan, by rank (most displaced first)."""
    kec = result.kecamatan
    return kec[kec["berisiko"].astype(bool)].sort_values("peringkat")


def site_counts(result: AnalysisResult) -> dict[str, int]:
    """``lokasi`` (sites), ``lokasi_banjir`` (sites in a flood zone) and ``anggota_usang``
    (members with sites whose last report is stale)."""
    lokasi = result.lokasi
    return {
        "lokasi": len(lokasi),
        "lokasi_banjir": int((lokasi["kelas_banjir"].fillna("") != "").sum()),
        "anggota_usang": int(lokasi.drop_duplicates("anggota_id")["usang"].sum()),
    }
