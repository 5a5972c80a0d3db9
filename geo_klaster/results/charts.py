"""Small charts as hand-built SVG text: no network, no plotting library, and they print.

* :func:`svg_kesiapan`  readiness of one kecamatan: one horizontal bar per item, the share of
  the need that is allocated (0–100 %), coloured and marked by class
  (:data:`geo_klaster.results.readiness.GAYA_PORSI`).
* :func:`svg_riwayat`   a step line of a quantity over time (an item's committable stock).

Every text is escaped; numbers are written in Indonesian notation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from markupsafe import escape

from geo_klaster.i18n import _, bahasa
from geo_klaster.results.readiness import GAYA_PORSI


def _angka(x: float, desimal: int = 0) -> str:
    """A number in the notation of the current language (``12.345,6``; English ``12,345.6``)."""
    text = f"{float(x):,.{desimal}f}"
    if bahasa() == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def svg_kesiapan(
    baris: Sequence[tuple[str, float, int | None, str]],
    *,
    judul: str | None = None,
    lebar: int = 360,
) -> str:
    """Readiness bars: one row per item.

    Parameters
    ----------
    baris
        ``(label, porsi, persen, kelas)`` per item: the item's name, the coverage share
        (0–1, NaN when unknown), the whole percentage shown, and its class.
    judul
        The chart's title (also its accessible name).
    lebar
        Width of the drawing in SVG units (the chart scales to its box).
    """
    judul = judul or _("Kesiapan per barang (teralokasi ÷ kebutuhan)")
    row_h, top, label_w, value_w = 13, 16, 118, 54
    bar_w = lebar - label_w - value_w
    tinggi = top + row_h * max(len(baris), 1) + 14
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="grafik grafik-kesiapan" '
            f'viewBox="0 0 {lebar} {tinggi}" role="img" aria-label="{escape(judul)}" '
            f'font-family="sans-serif" font-size="9">'
        ),
        f"<title>{escape(judul)}</title>",
        f'<text x="0" y="10" font-weight="bold" font-size="10">{escape(judul)}</text>',
    ]
    for i, (label, porsi, pct, kelas) in enumerate(baris):
        y = top + i * row_h
        fill, simbol = (GAYA_PORSI.get(kelas, GAYA_PORSI["tidak_diketahui"])[i] for i in (1, 3))
        nama = label if len(label) <= 24 else label[:23] + "…"
        out.append(f'<text x="0" y="{y + 9}">{escape(nama)}</text>')
        out.append(
            f'<rect x="{label_w}" y="{y + 1}" width="{bar_w}" height="{row_h - 3}" '
            'fill="#f2f2f2" stroke="#999" stroke-width="0.5"/>'
        )
        if porsi is not None and math.isfinite(porsi) and porsi > 0:
            w = round(bar_w * min(porsi, 1.0), 1)
            out.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{w}" height="{row_h - 3}" fill="{fill}"/>'
            )
        teks = f"{pct} %" if pct is not None else "?"
        out.append(
            f'<text x="{label_w + bar_w + 4}" y="{y + 9}">{escape(simbol)} {escape(teks)}</text>'
        )
    # 50 % and 100 % guides
    yb = top + row_h * max(len(baris), 1)
    for frac, lab in ((0.5, "50 %"), (1.0, "100 %")):
        x = label_w + bar_w * frac
        out.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{yb}" stroke="#333" '
            'stroke-width="0.6" stroke-dasharray="2 2"/>'
        )
        out.append(f'<text x="{x}" y="{yb + 10}" text-anchor="middle">{lab}</text>')
    out.append("</svg>")
    return "".join(out)


def _ticks(hi: float, n: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``hi``."""
    if hi <= 0:
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * i for i in range(math.ceil(hi / step) + 1)]


def svg_riwayat(
    waktu: Sequence[dt.datetime],
    nilai: Sequence[float],
    *,
    satuan: str,
    judul: str,
    lebar: int = 640,
    tinggi: int = 240,
) -> str:
    """A step line of ``nilai`` (in ``satuan``) over ``waktu`` (each value holds until the next).

    Empty input draws the frame with the note *belum ada laporan*.
    """
    left, right, top, bottom = 64, 12, 24, 30
    w, h = lebar - left - right, tinggi - top - bottom
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="grafik grafik-riwayat" '
            f'viewBox="0 0 {lebar} {tinggi}" role="img" aria-label="{escape(judul)}" '
            f'font-family="sans-serif" font-size="11">'
        ),
        f"<title>{escape(judul)}</title>",
        f'<text x="{left}" y="14" font-weight="bold">{escape(judul)}</text>',
        (
            f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="#fafafa" stroke="#999" '
            'stroke-width="0.6"/>'
        ),
    ]
    if not waktu:
        out.append(
            f'<text x="{left + w / 2}" y="{top + h / 2}" text-anchor="middle">'
            f"{escape(_('belum ada laporan'))}</text></svg>"
        )
        return "".join(out)
    t0, t1 = waktu[0].timestamp(), waktu[-1].timestamp()
    span = max(t1 - t0, 86400.0)
    ticks = _ticks(max(nilai) if nilai else 0.0)
    top_v = ticks[-1]

    def x(t: float) -> float:
        return round(left + w * (t - t0) / span, 1)

    def y(v: float) -> float:
        return round(top + h - h * v / top_v, 1)

    for v in ticks:
        out.append(
            f'<line x1="{left}" y1="{y(v)}" x2="{left + w}" y2="{y(v)}" stroke="#ddd" '
            'stroke-width="0.6"/>'
        )
        out.append(f'<text x="{left - 4}" y="{y(v) + 4}" text-anchor="end">{_angka(v)}</text>')
    out.append(
        f'<text x="12" y="{top + h / 2}" transform="rotate(-90 12 {top + h / 2})" '
        f'text-anchor="middle">{escape(satuan)}</text>'
    )
    pts: list[str] = []
    prev: float | None = None
    for t, v in zip(waktu, nilai, strict=True):
        if prev is not None:
            pts.append(f"{x(t.timestamp())},{y(prev)}")
        pts.append(f"{x(t.timestamp())},{y(v)}")
        prev = v
    pts.append(f"{left + w},{y(nilai[-1])}")
    out.append(
        f'<polyline points="{" ".join(pts)}" fill="none" stroke="#0072b2" stroke-width="2"/>'
    )
    for t, v in zip(waktu, nilai, strict=True):
        out.append(f'<circle cx="{x(t.timestamp())}" cy="{y(v)}" r="2.2" fill="#0072b2"/>')
    n_lab = min(5, len(waktu))
    for i in range(n_lab):
        t = t0 + span * i / max(n_lab - 1, 1)
        lab = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d")
        anchor = "start" if i == 0 else ("end" if i == n_lab - 1 else "middle")
        out.append(f'<text x="{x(t)}" y="{top + h + 16}" text-anchor="{anchor}">{lab}</text>')
    out.append("</svg>")
    return "".join(out)
