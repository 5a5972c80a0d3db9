"""The HTML pages, each with a folium map rendered into the page (not an iframe).

``/``                        overview: kecamatan by displaced people, flood zones, sites
``/kecamatan/<kode>``        one kecamatan: flooded part, reach, sites, needs, allocation, gaps
``/kecamatan/<kode>/cetak``  the readiness sheet: one A4 portrait page
``/kecamatan/<kode>/lampiran``  its annex: every allocation line, the sites' inventories
``/gap?barang=<kode>``       kecamatan by the shortfall of one item
``/alokasi``                 allocation lines site → kecamatan; ``rencana_aksi.xlsx``
``/anggota``                 members by sector, last report, stale first
``/barang/<kode>``           one item: its committable stock over time (SVG), its gap
``/banding?skenario=A&skenario=B``  scenarios side by side; a plan against an event

Every page takes ``skenario``, ``jarak_km`` and ``hari``. Views only parse, fetch cached
results and render; maps come from :mod:`geo_klaster.maps`, rendered once per data version
and parameters.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, render_template, request, send_file
from geo_klaster.web import auth, context, params
from geo_klaster.web.cache import Parameter
from markupsafe import escape

from geo_klaster import i18n
from geo_klaster import maps as peta
from geo_klaster.analysis import gaps
from geo_klaster.analysis.pipeline import AnalysisResult
from geo_klaster.config import KELAS
from geo_klaster.i18n import _
from geo_klaster.members import reports
from geo_klaster.results import hasil
from geo_klaster.results import readiness as kesiapan
from geo_klaster.results.banding import TABEL, page_tables
from geo_klaster.results.outputs import write_action_plan

bp = Blueprint("maps", __name__)

ANALISIS_ARGS = ("skenario", "jarak_km", "hari", "per", "jangkauan", "menit", "lang")


# -- helpers ---------------------------------------------------------------------------------


def _query(extra: dict[str, Any] | None = None) -> str:
    """This request's analysis arguments (only those given), plus ``extra``.

    On an error page the request's arguments are left out (they may be the bad ones).
    """
    given = {} if g.get("tanpa_query") else request.args
    args = {k: given[k] for k in ANALISIS_ARGS if given.get(k)}
    args.update({k: v for k, v in (extra or {}).items() if v is not None})
    return ("?" + urlencode(args)) if args else ""


def _tautan(path: str, **extra: Any) -> str:
    return request.script_root + path + _query(extra)


def _aset() -> peta.Aset:
    return peta.aset_lokal(request.script_root + "/vendor")


def _inline(n: int) -> bool:
    return n <= int(current_app.config["LOKASI_INLINE_MAKS"])


def _stok_url(p: Parameter) -> str:
    return request.script_root + "/api/analisis/lokasi/{id}/stok.json?" + urlencode(p.query())


def _opsi_lokasi(p: Parameter) -> peta.OpsiPeta:
    """Map options with every site: inline (with stock) when few, else fetched from the API."""
    result = context.analysis(p)
    if _inline(len(result.lokasi)):
        return _opsi().ganti(lokasi=context.lokasi_fc(p))
    url = request.script_root + "/api/analisis/lokasi.geojson?" + urlencode(p.query())
    return _opsi().ganti(lokasi_url=url, stok_url=_stok_url(p))


def _peta(key: tuple[Any, ...], build: Any) -> peta.BagianPeta:
    """A map rendered once per data version (and key)."""
    return context.cache().memo(
        context.snapshot(),
        ("peta", request.script_root, i18n.bahasa(), *key),
        lambda: peta.bagian_html(_nama_lapisan_aman(build())),
    )


def _nama_lapisan_aman(element: Any) -> Any:
    """Escape every layer's name: Leaflet's layer control shows it as HTML, and names hold
    data (an item's name in "Kekurangan <nama>"), which must never become markup."""
    for child in list(getattr(element, "_children", {}).values()):
        name = getattr(child, "layer_name", None)
        if isinstance(name, str):
            child.layer_name = str(escape(name))
        _nama_lapisan_aman(child)
    return element


def _opsi() -> peta.OpsiPeta:
    """Map options of this request, without sites (see :func:`_opsi_lokasi`)."""
    return peta.OpsiPeta(
        aset=_aset(),
        tautan_kecamatan=_tautan("/kecamatan/{kode}").replace("%7Bkode%7D", "{kode}"),
        peta_dasar_daring=bool(current_app.config["PETA_DASAR_DARING"]),
    )


def _nama_barang(kode: str) -> str:
    names = context.snapshot().memo(("nama_barang",), context.nama_barang)
    return names.get(kode, kode)


def _halaman(template: str, p: Parameter, result: AnalysisResult, **kw: Any) -> str:
    snap = context.snapshot()
    kec = snap.layers["kecamatan"]
    return render_template(
        template,
        batas_perkiraan=bool("contoh" in kec and kec["contoh"].any()),
        p=p,
        r=result,
        ringkas=context.cache().memo(snap, ("ringkas", p), result.summary),
        skenario=snap.skenario,
        ada_jalan=snap.ada_jalan,
        demo=snap.demo,
        versi=snap.version,
        **kw,
    )


@bp.app_context_processor
def _fungsi_halaman() -> dict[str, Any]:
    """Helpers every template (error pages included) may use."""
    return {
        "angka": peta.angka,
        "alasan": gaps.alasan_bahasa,
        "desimal_barang": _desimal,
        "tautan": _tautan,
        "sektor": peta.SEKTOR,
        "halaman": request.endpoint,
    }


# -- pages -----------------------------------------------------------------------------------


@bp.get("/")
def ikhtisar() -> str:
    p = context.parameter()
    result = context.analysis(p)
    jangkauan_url = (
        request.script_root + "/api/kecamatan/{kode}/jangkauan.geojson?" + urlencode(p.query())
    )
    bagian = _peta(
        ("ikhtisar", p),
        lambda: peta.peta_ikhtisar(result, _opsi_lokasi(p), jangkauan_url=jangkauan_url),
    )
    n = hasil.site_counts(result)
    kejadian = context.kejadian_terbaru()
    return _halaman(
        "ikhtisar.html",
        p,
        result,
        peta=bagian,
        berisiko=hasil.at_risk(result),
        di_bawah=hasil.below_threshold(result),
        n_lokasi=n["lokasi"],
        n_lokasi_banjir=n["lokasi_banjir"],
        n_anggota_usang=n["anggota_usang"],
        nama_barang=_nama_barang,
        matriks=context.cache().memo(
            context.snapshot(),
            ("matriks", p),
            lambda: kesiapan.tabel_matriks(result.gap, result.kecamatan, context.nama_barang()),
        ),
        gaya_porsi=kesiapan.GAYA_PORSI,
        kejadian=kejadian,
        banding=_banding_ikhtisar(p, kejadian),
    )


def _tautan_banding(a: str, b: str) -> str:
    """The comparison page of ``a`` (A) and ``b`` (B), with this request's reach, days, date."""
    keep = [(k, request.args[k]) for k in ("jarak_km", "hari", "per") if request.args.get(k)]
    query = urlencode([("skenario", a), ("skenario", b), *keep])
    return request.script_root + "/banding?" + query


def _banding_ikhtisar(p: Parameter, kejadian: dict[str, Any] | None) -> dict[str, str] | None:
    """The overview's comparison link: the plan shown (else the first plan) against the
    latest event; without an event, the scenario shown against the next one."""
    names = context.snapshot().skenario
    if kejadian is not None:
        plans = kejadian["rencana"]
        if not plans:
            return None
        a = p.skenario if p.skenario in plans else plans[0]
        b = kejadian["skenario"]
    else:
        others = [n for n in names if n != p.skenario]
        if not others:
            return None
        a, b = p.skenario, others[0]
    return {"a": a, "b": b, "url": _tautan_banding(a, b)}


@bp.get("/banding")
def banding() -> str:
    """Scenarios side by side: ``?skenario=A&skenario=B[...]`` (400 unless two known)."""
    ps = context.banding_parameters()
    hasil_banding = context.banding(ps)
    a = ps[0].skenario
    snap = context.snapshot()
    opsi = _opsi()
    pasangan = [
        (
            a,
            p.skenario,
            context.cache().memo(
                snap,
                ("banding_tabel", tuple(ps), p.skenario),
                lambda p=p: page_tables(hasil_banding, a, p.skenario),
            ),
        )
        for p in ps[1:]
    ]
    b = ps[1].skenario
    bagian = _peta(
        ("banding", tuple(ps)),
        lambda: peta.peta_banding(
            hasil_banding,
            a,
            b,
            aset=opsi.aset,
            tautan_kecamatan=opsi.tautan_kecamatan,
            peta_dasar_daring=opsi.peta_dasar_daring,
        ),
    )
    query = [("skenario", p.skenario) for p in ps] + [
        (k, v) for k, v in ps[0].query().items() if k != "skenario"
    ]
    return render_template(
        "banding.html",
        peta=bagian,
        pasangan=pasangan,
        ringkasan=pasangan[0][2]["ringkasan"],
        ps=ps,
        skenario=snap.skenario,
        demo=snap.demo,
        versi=snap.version,
        unduh=request.script_root + "/api/banding.csv?" + urlencode(query),
        tabel_unduh=list(TABEL),
    )


TABEL_LOKASI_MAKS = 100  # sites listed on a kecamatan page (the nearest); all are in the API


def _data_kecamatan(p: Parameter, kode: str) -> dict[str, Any]:
    result = context.analysis(p)
    row = context.kecamatan_row(result, kode)

    def build() -> dict[str, Any]:
        lokasi = context.jangkauan_fc(p, kode)
        gap = hasil.gap_of_kecamatan(result, kode, nama_barang=_nama_barang)
        alok = hasil.allocation_with_names(
            result,
            anggota=context.layer("anggota"),
            nama_barang=_nama_barang,
            kode=kode,
            sort=("jarak_m", "anggota", "barang"),
        )
        n = len(lokasi["features"])
        if _inline(n):
            peta_lokasi: dict[str, Any] = {"lokasi": lokasi}
        else:
            url = (
                request.script_root
                + f"/api/kecamatan/{kode}/jangkauan.geojson?"
                + urlencode(p.query())
            )
            peta_lokasi = {"lokasi_url": url}
        return {
            "row": row,
            "lokasi": lokasi["features"][:TABEL_LOKASI_MAKS],
            "n_lokasi": n,
            "peta_lokasi": peta_lokasi,
            "gap": gap,
            "alokasi": alok,
            "kelas": [(k, float(row[f"luas_{k}_m2"])) for k in KELAS],
        }

    return context.cache().memo(
        context.snapshot(), ("halaman_kecamatan", request.script_root, p, kode), build
    )


@bp.get("/kecamatan/<kode>")
def kecamatan(kode: str) -> str:
    p = context.parameter()
    result = context.analysis(p)
    data = _data_kecamatan(p, kode)
    bagian = _peta(
        ("kecamatan", p, kode),
        lambda: peta.peta_kecamatan(result, kode, _opsi().ganti(**data["peta_lokasi"])),
    )
    return _halaman("kecamatan.html", p, result, peta=bagian, desimal=_desimal, **data)


def _desimal(kode_barang: str) -> int:
    """Decimals shown for an item: 0 for items moved in whole units (``barang.bulat``)."""
    desimal = context.snapshot().memo(
        ("desimal_barang",), lambda: kesiapan.desimal_barang(context.layer("barang"))
    )
    return desimal.get(kode_barang, 1)


BARIS_CETAK = 10  # dispatch lines on the one-page sheet (the largest); all are in the annex


def _data_cetak(p: Parameter, kode: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the one-page sheet adds: readiness bars and the largest dispatch lines."""
    result = context.analysis(p)
    return context.cache().memo(
        context.snapshot(),
        ("cetak_kecamatan", request.script_root, i18n.bahasa(), p, kode),
        lambda: kesiapan.lembar_kesiapan(
            data["gap"], data["alokasi"], result.kebutuhan, kode, BARIS_CETAK
        ),
    )


@bp.get("/kecamatan/<kode>/cetak")
def kecamatan_cetak(kode: str) -> str:
    """The readiness sheet: exactly one A4 portrait page (the rest is in ``/lampiran``)."""
    p = context.parameter()
    result = context.analysis(p)
    data = _data_kecamatan(p, kode)
    opsi = _opsi().ganti(peta_dasar_daring=False, **data["peta_lokasi"])

    def build() -> tuple[peta.BagianPeta, str]:
        m = _nama_lapisan_aman(peta.peta_kecamatan(result, kode, opsi, cetak=True))
        return peta.bagian_html(m), m.legenda_html

    bagian, legenda = context.cache().memo(
        context.snapshot(), ("peta", request.script_root, i18n.bahasa(), "cetak", p, kode), build
    )
    return _halaman(
        "cetak.html",
        p,
        result,
        peta=bagian,
        legenda=legenda,
        desimal=_desimal,
        **data,
        **_data_cetak(p, kode, data),
    )


LAMPIRAN_LOKASI_MAKS = 2000  # sites listed in the annex (nearest first); all are in the API


@bp.get("/kecamatan/<kode>/lampiran")
def kecamatan_lampiran(kode: str) -> str:
    """The annex of the readiness sheet: every allocation line and the sites' inventories."""
    p = context.parameter()
    result = context.analysis(p)
    data = _data_kecamatan(p, kode)
    lokasi = context.jangkauan_fc(p, kode)["features"][:LAMPIRAN_LOKASI_MAKS]
    return _halaman("lampiran.html", p, result, desimal=_desimal, **(data | {"lokasi": lokasi}))


def _pilihan_barang(result: AnalysisResult) -> list[tuple[str, str, str]]:
    """Items that have a need in this analysis: ``(kode, nama, satuan)`` by name."""
    return hasil.items_with_need(result, nama_barang=_nama_barang)


@bp.get("/gap")
def gap() -> str:
    p = context.parameter()
    result = context.analysis(p)
    pilihan = _pilihan_barang(result)
    kodes = [k for k, _n, _u in pilihan]
    ringkas = context.cache().memo(context.snapshot(), ("ringkas", p), result.summary)
    default = (
        ringkas["kekurangan_terbesar"][0]["barang"]
        if ringkas["kekurangan_terbesar"]
        else (kodes[0] if kodes else None)
    )
    barang = request.args.get("barang") or default
    if barang is None:
        raise params.ParameterError(_("tidak ada kebutuhan barang dalam analisis ini"), "barang")
    if barang not in kodes:
        raise params.ParameterError(
            _(
                "barang '%(barang)s' tidak dikenal; pilihan: %(pilihan)s",
                barang=barang,
                pilihan=", ".join(kodes),
            ),
            "barang",
        )
    bagian = _peta(
        ("gap", p, barang),
        lambda: peta.peta_gap(result, barang, _opsi_lokasi(p), nama_barang=_nama_barang(barang)),
    )
    return _halaman(
        "gap.html",
        p,
        result,
        peta=bagian,
        pilihan=pilihan,
        barang=barang,
        nama=_nama_barang(barang),
        satuan=next(u for k, _n, u in pilihan if k == barang),
        tabel=hasil.gap_of_item(result, barang),
        desimal=0 if barang in result.bulat else 1,
        per_barang=hasil.gap_by_item(result, nama_barang=_nama_barang),
    )


@bp.get("/alokasi")
def alokasi() -> str:
    p = context.parameter()
    result = context.analysis(p)
    pilihan = _pilihan_barang(result)
    barang = request.args.get("barang") or None
    if barang is not None and barang not in [k for k, _n, _u in pilihan]:
        raise params.ParameterError(_("barang '%(barang)s' tidak dikenal", barang=barang), "barang")
    kategori = context.kategori_barang()
    anggota = context.layer("anggota")
    bagian = _peta(
        ("alokasi", p, barang),
        lambda: peta.peta_alokasi(
            result,
            _opsi_lokasi(p),
            barang=barang,
            kategori=kategori,
            anggota=anggota,
            nama_barang=context.nama_barang(),
        ),
    )
    tabel = hasil.allocation_with_names(
        result, anggota=anggota, nama_barang=_nama_barang, barang=barang
    )
    return _halaman(
        "alokasi.html",
        p,
        result,
        peta=bagian,
        pilihan=pilihan,
        barang=barang,
        tabel=tabel,
    )


@bp.get("/alokasi/rencana_aksi.xlsx")
def rencana_aksi() -> Response:
    p = context.parameter()
    result = context.analysis(p)

    siapa = auth.identitas()
    pribadi = siapa is not None and siapa.is_coordinator  # contacts: the coordinator's copy

    def build() -> bytes:
        anggota = context.snapshot().layers["anggota"] if pribadi else context.layer("anggota")
        layers = {"anggota": anggota, "barang": context.layer("barang")}
        with tempfile.TemporaryDirectory(prefix="geo-klaster-xlsx-") as tmp:
            path = Path(tmp) / "rencana_aksi.xlsx"
            # formula-safe: see geo_klaster.results.action_plan
            write_action_plan(result, path, layers, pribadi=pribadi)
            return path.read_bytes()

    body = context.cache().memo(context.snapshot(), ("xlsx", i18n.bahasa(), p, pribadi), build)
    resp = send_file(
        io.BytesIO(body),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"rencana_aksi_{p.skenario}.xlsx",
    )
    resp.vary.add("Cookie")  # the coordinator's copy differs (contacts)
    if pribadi:
        resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/barang/<kode>")
def barang(kode: str) -> str:
    """One item: its committable stock over time (server-drawn SVG) and today's gap."""
    p = context.parameter()
    result = context.analysis(p)
    katalog = context.layer("barang")
    rows = katalog[katalog["kode"].astype(str) == kode]
    if rows.empty:
        raise params.TidakDitemukan(f"barang '{kode}' tidak ada di katalog", "kode")
    row = rows.iloc[0]
    data = context.cache().memo(
        context.snapshot(),
        ("riwayat_barang", i18n.bahasa(), p, kode),  # the chart's text is in the language
        lambda: kesiapan.riwayat_barang(
            context.snapshot().layers["stok"],
            row,
            result.gap,
            sampai=p.tanggal,
            skenario=p.skenario,
        ),
    )
    return _halaman("barang.html", p, result, b=row, d=data, desimal=_desimal(kode))


@bp.get("/anggota")
def anggota() -> str:
    p = context.parameter()
    result = context.analysis(p)
    bagian = _peta(("anggota", p), lambda: peta.peta_anggota(result, _opsi_lokasi(p)))
    siapa = auth.identitas()
    kontak = siapa is not None  # personal data: signed-in people only, and only their own
    tabel = reports.visible_contacts(context.laporan_anggota(p, kontak=kontak), siapa)
    per_sektor = reports.members_by_sector(tabel)
    return _halaman(
        "anggota.html",
        p,
        result,
        peta=bagian,
        tabel=tabel,
        per_sektor=per_sektor,
        tanggal=reports.report_day,
        periode=result.config.periode_laporan_hari,
        kontak=kontak,
        koordinator=bool(siapa and siapa.is_coordinator),
    )
