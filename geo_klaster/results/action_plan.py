"""``rencana_aksi.xlsx``: the draft action plan as a workbook to act on.

Three sheets, each a plain table under a two-line title (frozen header, filters, A4
landscape fitted to the page width, header repeated on every printed page):

* **Ringkasan**      per item: need, in reach, allocated, shortfall, share met, kecamatan short;
* **Per kecamatan**  per at-risk kecamatan and item: the same, with the reason (``alasan``);
* **Per anggota**    each member's dispatch lines: what, how much, from which site, to which
  kecamatan, how far (km; and minutes by road when reach was measured on roads). Members' contacts (``kontak``, ``telepon``: personal data, UU
  27/2022) only with ``pribadi=True`` (the coordinator's copy).

Items by name with their catalogue unit; quantities rounded as they are moved: whole units
for ``barang.bulat`` items, one decimal otherwise (number format to match), never ``-0``.
Totals are the rounded sums of the unrounded analysis figures, so they equal ``gap.csv`` and
``alokasi`` rounded the same way. Text a spreadsheet would run as a formula stays text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo_klaster.analysis.gaps import alasan_bahasa
from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.i18n import _
from geo_klaster.results import hasil
from geo_klaster.results.readiness import TOLERANSI, desimal_barang

LEMBAR = ("Ringkasan", "Per kecamatan", "Per anggota")
BARIS_KEPALA = 4  # the header row of every sheet (title, subtitle, blank line above it)
_ISI_KEPALA = PatternFill("solid", fgColor="DDE5EE")


def bulatkan(x: Any, desimal: int) -> float | int | None:
    """``x`` rounded to ``desimal`` places (an ``int`` for 0), None when missing; never -0."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return None
    if desimal == 0:
        return round(float(x)) + 0
    return round(float(x), desimal) + 0.0


def _format(desimal: int) -> str:
    return "#,##0" if desimal == 0 else "#,##0." + "0" * desimal


def _lembar(
    ws: Worksheet,
    judul: str,
    sub: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[Sequence[str | None]],
) -> None:
    """Write one sheet: title, subtitle, header (row :data:`BARIS_KEPALA`), rows.

    ``formats[i][j]`` is the number format of cell ``(i, j)`` (None: default).
    """
    ws.append([judul])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([sub])
    ws["A2"].font = Font(italic=True, color="555555")
    ws.append([])
    ws.append(list(header))
    for cell in ws[BARIS_KEPALA]:
        cell.font = Font(bold=True)
        cell.fill = _ISI_KEPALA
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    widths = [max(len(h), 6) for h in header]
    # cells by their known address: ws.max_row and ws[row] scan every cell of the sheet, which
    # made a national workbook (tens of thousands of lines) quadratic
    for i, (row, fmt) in enumerate(zip(rows, formats, strict=True)):
        ws.append(list(row))
        r = BARIS_KEPALA + 1 + i
        for j in range(len(row)):
            cell = ws.cell(row=r, column=j + 1)
            if cell.data_type == "f":
                # names come from members: "=HYPERLINK(...)" must stay text (formula
                # injection); the plan itself has no formulas
                cell.data_type = "s"
            if fmt[j]:
                cell.number_format = fmt[j]
            v = row[j]
            if v is not None:
                text = f"{v:,.1f}" if isinstance(v, float) else str(v)
                widths[j] = max(widths[j], len(text))
    for j, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(j + 1)].width = min(w + 2, 48)
    last = get_column_letter(len(header))
    ws.freeze_panes = f"A{BARIS_KEPALA + 1}"
    ws.auto_filter.ref = f"A{BARIS_KEPALA}:{last}{BARIS_KEPALA + len(rows)}"
    ws.print_title_rows = f"{BARIS_KEPALA}:{BARIS_KEPALA}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&P / &N"


def _porsi(kebutuhan: float, teralokasi: float) -> float | None:
    if kebutuhan is None or not math.isfinite(float(kebutuhan)):
        return None
    if float(kebutuhan) <= TOLERANSI:
        return 1.0
    return round(min(float(teralokasi) / float(kebutuhan), 1.0), 4) + 0.0


def _gap_berisiko(result: AnalysisResult) -> pd.DataFrame:
    gap = result.gap
    if "berisiko" in gap.columns:
        gap = gap[gap["berisiko"].fillna(False).astype(bool)]
    return gap.merge(
        result.kebutuhan[["kode", "barang", "ilustratif"]], on=["kode", "barang"], how="left"
    )


def _catatan(r: Any) -> str:
    parts = []
    if pd.isna(r.kebutuhan):
        parts.append(_("penduduk tidak diketahui"))
    alasan = getattr(r, "alasan", "")
    if isinstance(alasan, str) and alasan:
        parts.append(alasan_bahasa(alasan))
    if r.ilustratif is True or r.ilustratif == 1:
        parts.append(_("norma ilustratif"))
    return "; ".join(parts)


def write_action_plan(
    result: AnalysisResult,
    path: Path,
    layers: Mapping[str, pd.DataFrame] | None = None,
    *,
    pribadi: bool = False,
) -> None:
    """Write ``rencana_aksi.xlsx`` (see the module docstring) to ``path``.

    Parameters
    ----------
    result
        One scenario's analysis.
    path
        The file to write.
    layers
        ``anggota`` (names, and with ``pribadi`` the contacts ``kontak``, ``telepon``) and
        ``barang`` (names, units, ``kategori``, ``bulat``); without them codes are shown.
    pribadi
        The coordinator's copy: members' contacts in *Per anggota*.
    """
    layers = layers or {}
    barang = layers.get("barang")
    anggota = layers.get("anggota")
    names = (
        dict(zip(barang["kode"].astype(str), barang["nama"].astype(str), strict=True))
        if barang is not None
        else {}
    )
    kategori = (
        dict(zip(barang["kode"].astype(str), barang["kategori"].astype(str), strict=True))
        if barang is not None and "kategori" in barang
        else {}
    )
    desimal = desimal_barang(barang)

    def d(b: str) -> int:
        return desimal.get(str(b), 1)

    judul = _("DRAF rencana aksi — skenario %(skenario)s", skenario=result.skenario)
    sub = _(
        "Tanggal analisis %(tanggal)s · kebutuhan %(hari)s hari · jangkauan %(km)s km · "
        "jumlah dalam satuan katalog",
        tanggal=result.today.isoformat(),
        hari=result.hari,
        km=format(result.config.jarak_km, "g"),
    ) + (_(" · SALINAN KOORDINATOR: berisi data pribadi (UU 27/2022)") if pribadi else "")
    wb = Workbook()
    gap = _gap_berisiko(result)

    # -- Ringkasan: per item ---------------------------------------------------------------
    ws = wb.active
    ws.title = LEMBAR[0]
    per_item = (
        gap.groupby(["barang", "satuan"], as_index=False)
        .agg(
            kebutuhan=("kebutuhan", lambda s: s.sum(min_count=1)),
            terjangkau=("terjangkau", "sum"),
            teralokasi=("teralokasi", "sum"),
            kekurangan=("kekurangan", lambda s: s.sum(min_count=1)),
            kurang=("kekurangan", lambda s: int((s > TOLERANSI).sum())),
            kecamatan=("kode", "nunique"),
        )
        .assign(nama=lambda t: [names.get(b, b) for b in t["barang"]])
        .sort_values("nama", key=lambda s: s.str.lower(), kind="stable")
    )
    rows, fmts = [], []
    for r in per_item.itertuples(index=False):
        k = d(r.barang)
        f = _format(k)
        rows.append(
            [
                r.nama,
                r.satuan,
                kategori.get(r.barang, ""),
                bulatkan(r.kebutuhan, k),
                bulatkan(r.terjangkau, k),
                bulatkan(r.teralokasi, k),
                bulatkan(r.kekurangan, k),
                _porsi(r.kebutuhan, r.teralokasi),
                _("%(n)s dari %(total)s", n=r.kurang, total=r.kecamatan),
            ]
        )
        fmts.append([None, None, None, f, f, f, f, "0%", None])
    _lembar(
        ws,
        judul,
        sub
        + _(
            " · terjangkau: dijumlah per kecamatan (stok yang menjangkau beberapa "
            "kecamatan terhitung di masing-masing; teralokasi menghitungnya sekali)"
        ),
        [
            _("Barang"),
            _("Satuan"),
            _("Kategori"),
            _("Kebutuhan"),
            _("Terjangkau"),
            _("Teralokasi"),
            _("Kekurangan"),
            _("% terpenuhi"),
            _("Kecamatan kurang"),
        ],
        rows,
        fmts,
    )

    # -- Per kecamatan ---------------------------------------------------------------------
    ws = wb.create_sheet(LEMBAR[1])
    kec_names = dict(
        zip(result.kecamatan["kode"].astype(str), result.kecamatan["nama"].astype(str), strict=True)
    )
    rank = dict(zip(result.kecamatan["kode"].astype(str), result.kecamatan["peringkat"]))
    g = gap.assign(
        _r=[rank.get(str(k), 0) for k in gap["kode"]],
        nama=[names.get(b, b) for b in gap["barang"]],
    ).sort_values(["_r", "nama"], kind="stable")
    rows, fmts = [], []
    for r in g.itertuples(index=False):
        k = d(r.barang)
        f = _format(k)
        rows.append(
            [
                r.kode,
                kec_names.get(str(r.kode), ""),
                r.nama,
                r.satuan,
                bulatkan(r.kebutuhan, k),
                bulatkan(r.terjangkau, k),
                bulatkan(r.teralokasi, k),
                bulatkan(r.kekurangan, k),
                _porsi(r.kebutuhan, r.teralokasi),
                _catatan(r),
            ]
        )
        fmts.append([None, None, None, None, f, f, f, f, "0%", None])
    _lembar(
        ws,
        judul,
        sub,
        [
            _("Kode kec."),
            _("Kecamatan"),
            _("Barang"),
            _("Satuan"),
            _("Kebutuhan"),
            _("Terjangkau"),
            _("Teralokasi"),
            _("Kekurangan"),
            _("% terpenuhi"),
            _("Alasan / catatan"),
        ],
        rows,
        fmts,
    )

    # -- Per anggota -----------------------------------------------------------------------
    ws = wb.create_sheet(LEMBAR[2])
    alloc = hasil.allocation_with_names(
        result, anggota=anggota, nama_barang=names, sort=("anggota", "lokasi", "nama", "kode")
    )
    contacts: dict[str, tuple[str, str]] = {}
    if pribadi and anggota is not None:
        for a, kon, tel in zip(
            anggota["id"].astype(str),
            anggota.get("kontak", pd.Series("", index=anggota.index)).fillna(""),
            anggota.get("telepon", pd.Series("", index=anggota.index)).fillna(""),
            strict=True,
        ):
            contacts[a] = (str(kon), str(tel))
    jalan = "waktu_menit" in alloc and bool(alloc["waktu_menit"].notna().any())  # road reach
    rows, fmts = [], []
    for r in alloc.itertuples(index=False):
        k = d(r.barang)
        waktu = [bulatkan(r.waktu_menit, 0)] if jalan else []
        kontak = list(contacts.get(str(r.anggota_id), ("", ""))) if pribadi else []
        catatan = "; ".join(
            t
            for t, on in (
                (_("laporan usang"), bool(r.usang)),
                (_("lokasi tergenang"), str(r.status_stok) == "berisiko"),
            )
            if on
        )
        rows.append(
            [
                r.anggota,
                *kontak,
                r.lokasi,
                r.lokasi_id,
                r.nama,
                bulatkan(r.jumlah, k),
                r.satuan,
                r.kecamatan,
                r.kode,
                bulatkan(float(r.jarak_m) / 1000.0, 1),
                *waktu,
                catatan,
            ]
        )
        fmts.append(
            [None, *([None, None] if pribadi else []), None, None, None, _format(k), None]
            + [None, None, "#,##0.0", *(["#,##0"] if jalan else []), None]
        )
    header = [
        _("Anggota"),
        *([_("Kontak"), _("Telepon")] if pribadi else []),
        _("Dari lokasi"),
        _("Kode lokasi"),
        _("Barang"),
        _("Jumlah"),
        _("Satuan"),
        _("Ke kecamatan"),
        _("Kode kec."),
        _("Jarak (km)"),
        *([_("Waktu tempuh (menit)")] if jalan else []),
        _("Catatan"),
    ]
    _lembar(ws, judul, sub, header, rows, fmts)
    wb.save(path)
