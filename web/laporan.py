"""Reporting: members' stock reports and sites, the coordinator's views, the audit trail.

Pages (signed-in people; a member sees only its own sites, the coordinator all)
-------------------------------------------------------------------------------
``/laporan``                     the sites one may report for, with their last report
``/laporan/<lokasi_id>``         a site's stock (``?per=YYYY-MM-DD``: as it stood that day),
                                 its history, the report form (POST) and the upload
``/laporan/<lokasi_id>/unggah``  POST a CSV or XLSX report
``/laporan/templat.csv``, ``/laporan/templat.xlsx``  the report template (public)
``/lokasi``                      add or move a site by clicking the map or typing coordinates
``/koordinator/usang``           stale members with their contacts (coordinator)
``/koordinator/audit``           the audit trail (coordinator)

API (``Authorization: Bearer <token>``)
---------------------------------------
``POST /api/laporan``  ``{"lokasi_id": ..., "baris": [{"barang", "jumlah", "siap", ...}]}``
                       → 201 ``{"disimpan": n, ...}``; bad rows → 400 naming every row
``POST /api/lokasi``   ``{"id", "nama", "lon", "lat", "jenis"?, "anggota_id"?}`` → 201/200
``GET /api/audit``     the audit trail (coordinator)
``GET /api/stok.json`` the stock per site and item (``?per=``, ``?lokasi_id=``; public)

Every write goes through :mod:`geo_klaster.members.reports`, which checks the permission, validates
all rows (all or nothing) and records the audit entry with the channel: ``web`` (forms),
``unggah`` (uploads), ``api`` (tokens). Reports are stamped with the server's time; a
``dilaporkan`` column from a client is refused (history cannot be back-dated).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from geo_klaster.web import auth, context, params

from geo_klaster import schema as schema_mod
from geo_klaster.actor import Actor
from geo_klaster.analysis.stock import current_stock
from geo_klaster.errors import InputError, Problem, ValidationError, summarised_problems
from geo_klaster.i18n import _
from geo_klaster.members import reports

bp = Blueprint("laporan", __name__)

KOLOM_BARIS = [c for c in reports.REPORT_COLUMNS if c != "lokasi_id"]
BARIS_FORM_KOSONG = 5  # empty lines under the current items on the form
BARIS_FORM_MAKS = 500
RIWAYAT_MAKS = 200
AUDIT_BAWAAN, AUDIT_MAKS = 200, 5000
SUFIKS = {".csv": ".csv", ".xlsx": ".xlsx"}


# -- helpers ---------------------------------------------------------------------------------


def _pelaku(saluran: str | None = None) -> Actor:
    actor = auth.identitas()
    if actor is None:  # the guard answers 401 first; this is a second line of defence
        raise auth.TidakBerwenang("Masuk dulu / sign in first")
    return dataclasses.replace(actor, saluran=saluran) if saluran else actor


def _store() -> Any:
    return context.cache().store()


def _hari_ini() -> dt.date:
    return params.tanggal(current_app.config["TODAY"])


def _per() -> dt.date | None:
    return params.per(request.args.get("per"), hari_ini=_hari_ini())


def _periode() -> int:
    return int(current_app.config["ANALISIS"].periode_laporan_hari)


def _lokasi(lokasi_id: str) -> dict[str, Any]:
    """A site of the current data (404 when unknown)."""
    lokasi = context.snapshot().layers["lokasi"]
    rows = lokasi[lokasi["id"].astype(str) == lokasi_id]
    if rows.empty:
        raise params.TidakDitemukan(f"lokasi '{lokasi_id}' tidak ada", "lokasi_id")
    row = rows.iloc[0]
    geom = row.geometry
    return {
        "id": str(row["id"]),
        "anggota_id": str(row["anggota_id"]),
        "nama": str(row["nama"]),
        "jenis": reports.cell_value(row.get("jenis")),
        "lon": float(geom.x) if geom is not None else None,
        "lat": float(geom.y) if geom is not None else None,
    }


def _boleh_tulis(actor: Actor, lokasi: dict[str, Any]) -> None:
    """403 for another member's site (before anything is read from the body)."""
    actor.require_member(lokasi["anggota_id"], f"lokasi {lokasi['id']}")


def _nama_anggota() -> dict[str, str]:
    anggota = context.layer("anggota")
    return dict(zip(anggota["id"].astype(str), anggota["nama"].astype(str)))


def _katalog() -> list[dict[str, str]]:
    barang = context.layer("barang").sort_values("nama")
    return [
        {"kode": str(k), "nama": str(n), "satuan": str(s)}
        for k, n, s in zip(barang["kode"], barang["nama"], barang["satuan"])
    ]


_nilai = reports.cell_value


def _stok_per(per: dt.date | None) -> Any:
    """Stock per site and item at the end of ``per`` (None: every line so far), cached."""
    snap = context.snapshot()
    return context.cache().memo(
        snap, ("stok_per", per), lambda: current_stock(snap.layers["stok"], as_of=per)
    )


def _problem_rows(problems: list[Problem]) -> list[dict[str, object]]:
    return [p.as_dict() for p in problems]


def _validation_json(exc: ValidationError) -> Response:
    resp = jsonify(
        {
            "error": "Data ditolak, tidak ada yang ditulis / input refused, nothing written",
            "parameter": "baris",
            "masalah": _problem_rows(exc.problems),
        }
    )
    resp.status_code = 400
    return resp


# -- the list of one's sites -----------------------------------------------------------------


@bp.get("/laporan")
@auth.perlu_masuk
def daftar() -> str:
    actor = _pelaku()
    snap = context.snapshot()
    lokasi = snap.layers["lokasi"]
    if not actor.is_coordinator:
        lokasi = lokasi[lokasi["anggota_id"].astype(str) == str(actor.anggota_id)]
    stok = snap.layers["stok"]
    terakhir = reports.last_report_per_site(stok)
    names = _nama_anggota()
    rows = [
        {
            "id": str(r["id"]),
            "nama": str(r["nama"]),
            "jenis": reports.cell_value(r.get("jenis")) or "",
            "anggota_id": str(r["anggota_id"]),
            "anggota": names.get(str(r["anggota_id"]), str(r["anggota_id"])),
            "terakhir": _nilai(terakhir.get(str(r["id"]))),
        }
        for _i, r in lokasi.sort_values(["anggota_id", "id"]).iterrows()
    ]
    return render_template(
        "laporan/daftar.html",
        lokasi=rows,
        nama_anggota=names.get(str(actor.anggota_id), ""),
        pesan=get_flashed_messages(),
    )


# -- one site: stock, history, form, upload --------------------------------------------------


def _halaman_lokasi(
    lokasi: dict[str, Any],
    *,
    per: dt.date | None = None,
    baris: list[dict[str, Any]] | None = None,
    masalah: list[Problem] | None = None,
    judul_masalah: str | None = None,
    baris_formulir: bool = True,
    status: int = 200,
) -> tuple[str, int]:
    stok = _stok_per(per)
    sekarang = stok[stok["lokasi_id"].astype(str) == lokasi["id"]]
    sekarang_rows = [{c: _nilai(r.get(c)) for c in reports.REPORT_COLUMNS + ["dilaporkan"]}
                     for _i, r in sekarang.iterrows()]  # fmt: skip
    riwayat = reports.site_history(
        context.snapshot().layers["stok"], lokasi["id"], per=per, limit=RIWAYAT_MAKS
    )
    riwayat_rows = [{c: _nilai(r.get(c)) for c in reports.REPORT_COLUMNS + ["dilaporkan"]}
                    for _i, r in riwayat.iterrows()]  # fmt: skip
    if baris is None:
        baris = [{c: r[c] for c in KOLOM_BARIS} for r in sekarang_rows]
        baris += [{c: None for c in KOLOM_BARIS} for _i in range(BARIS_FORM_KOSONG)]
    per_baris: dict[int, list[Problem]] = {}
    umum: list[Problem] = []
    for p in masalah or []:  # problems of the form's lines are shown at those lines too
        if baris_formulir and p.row is not None:
            per_baris.setdefault(p.row, []).append(p)
        else:
            umum.append(p)
    html = render_template(
        "laporan/lokasi.html",
        lokasi=lokasi,
        anggota=_nama_anggota().get(lokasi["anggota_id"], lokasi["anggota_id"]),
        per=per,
        hari_ini=_hari_ini(),
        sekarang=sekarang_rows,
        riwayat=riwayat_rows,
        baris=baris,
        katalog=_katalog(),
        nama_barang={k["kode"]: k["nama"] for k in _katalog()},
        kondisi=schema_mod.get("stok").field("kondisi").enum or ("baik", "rusak"),
        masalah=masalah or [],
        masalah_baris=per_baris,
        masalah_umum=umum,
        judul_masalah=judul_masalah,
        pesan=get_flashed_messages(),
        maks_mb=int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1e6,
        versi=context.snapshot().version,
    )
    return html, status


@bp.get("/laporan/<lokasi_id>")
@auth.perlu_masuk
def lokasi_halaman(lokasi_id: str) -> tuple[str, int]:
    actor = _pelaku()
    lokasi = _lokasi(lokasi_id)
    _boleh_tulis(actor, lokasi)
    return _halaman_lokasi(lokasi, per=_per())


def _baris_form() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """The form's lines: all (to show again), the filled ones, and their line numbers."""
    kolom = {c: request.form.getlist(c) for c in KOLOM_BARIS}
    n = max((len(v) for v in kolom.values()), default=0)
    if n > BARIS_FORM_MAKS:
        raise params.ParameterError(f"paling banyak {BARIS_FORM_MAKS} baris per laporan", "barang")
    semua = [
        {c: (kolom[c][i].strip() if i < len(kolom[c]) else "") or None for c in KOLOM_BARIS}
        for i in range(n)
    ]
    terisi, nomor = [], []
    for i, row in enumerate(semua, start=1):
        if row["barang"] or row["jumlah"] or row["siap"]:
            terisi.append(row)
            nomor.append(i)
    return semua, terisi, nomor


@bp.post("/laporan/<lokasi_id>")
@auth.perlu_masuk
def lapor_form(lokasi_id: str) -> Any:
    actor = _pelaku("web")
    lokasi = _lokasi(lokasi_id)
    _boleh_tulis(actor, lokasi)
    semua, terisi, nomor = _baris_form()
    if not terisi:
        return _halaman_lokasi(
            lokasi, baris=semua, masalah=[Problem(_("isi paling sedikit satu baris barang"))],
            judul_masalah=_("Laporan kosong, tidak ada yang disimpan."), status=400,
        )  # fmt: skip
    try:
        n = reports.submit_report(
            _store(), actor, terisi, lokasi_id=lokasi["id"], source="formulir"
        )
    except ValidationError as exc:
        for p in exc.problems:  # back to the line numbers the person sees on the form
            if p.row is not None and 1 <= p.row <= len(nomor):
                p.row = nomor[p.row - 1]
        return _halaman_lokasi(
            lokasi, baris=semua, masalah=exc.problems, status=400,
            judul_masalah=_("Laporan ditolak, tidak ada yang disimpan. Perbaiki baris bertanda:"),
        )  # fmt: skip
    flash(_("Laporan tersimpan: %(n)s baris stok untuk %(nama)s.", n=n, nama=lokasi["nama"]))
    return redirect(url_for("laporan.lokasi_halaman", lokasi_id=lokasi["id"]), code=303)


def _nama_berkas(raw: str | None) -> str:
    base = re.split(r"[\\/]", raw or "")[-1]
    clean = re.sub(r"[^\w.\- ]", "_", base)[:80].strip()
    return clean or "laporan"


def _simpan_unggahan(lokasi_id: str) -> int:
    """Run one uploaded report through the domain (all rows or none)."""
    berkas = request.files.get("berkas")
    if berkas is None or not berkas.filename:
        raise params.ParameterError(_("pilih berkas CSV atau XLSX untuk diunggah"), "berkas")
    nama = _nama_berkas(berkas.filename)
    sufiks = SUFIKS.get(Path(nama).suffix.lower())
    if sufiks is None:
        raise params.ParameterError(
            f"berkas '{nama}' bukan .csv atau .xlsx (unduh templatnya dari halaman ini)", "berkas"
        )
    lembar = (request.form.get("sheet") or "").strip() or None
    desimal = (request.form.get("desimal") or "").strip() or None
    if desimal not in (None, "koma", "titik"):
        raise params.ParameterError(_("tanda desimal: koma atau titik"), "desimal")
    with tempfile.TemporaryDirectory(prefix="geo-klaster-unggah-") as tmp:
        path = Path(tmp) / ("laporan" + sufiks)
        berkas.save(path)
        # the domain checks the XLSX before parsing it, and stamps the report's time
        return reports.report_from_file(
            _store(),
            _pelaku("unggah"),
            path,
            lokasi_id=lokasi_id,
            name=nama,
            decimal=desimal,
            sheet=lembar,
        )


@bp.post("/laporan/<lokasi_id>/unggah")
@auth.perlu_masuk
def unggah(lokasi_id: str) -> Any:
    actor = _pelaku("unggah")
    lokasi = _lokasi(lokasi_id)
    _boleh_tulis(actor, lokasi)
    try:
        n = _simpan_unggahan(lokasi["id"])
    except ValidationError as exc:  # one line per distinct problem, with its rows
        return _halaman_lokasi(
            lokasi, masalah=summarised_problems(exc.problems), status=400, baris_formulir=False,
            judul_masalah=_("Berkas %(berkas)s ditolak, tidak ada yang disimpan:", berkas=exc.source or ""),
        )  # fmt: skip
    except InputError as exc:
        return _halaman_lokasi(
            lokasi, masalah=[Problem(exc.message)], status=400, baris_formulir=False,
            judul_masalah=_("Berkas ditolak, tidak ada yang disimpan:"),
        )  # fmt: skip
    flash(_("Berkas diterima: %(n)s baris stok untuk %(nama)s.", n=n, nama=lokasi["nama"]))
    return redirect(url_for("laporan.lokasi_halaman", lokasi_id=lokasi["id"]), code=303)


@bp.get("/laporan/templat.csv")
def templat_csv() -> Response:
    body = reports.template_frame().to_csv(index=False).encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="templat_laporan_stok.csv"'},
    )


@bp.get("/laporan/templat.xlsx")
def templat_xlsx() -> Response:
    def build() -> bytes:
        out = io.BytesIO()
        reports.write_template_xlsx(out, _katalog())
        return out.getvalue()

    body = context.cache().memo(context.snapshot(), ("templat_xlsx",), build)
    return send_file(
        io.BytesIO(body),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="templat_laporan_stok.xlsx",
    )


# -- sites: add and move ---------------------------------------------------------------------


def _lokasi_saya(actor: Actor) -> list[dict[str, Any]]:
    lokasi = context.snapshot().layers["lokasi"]
    if not actor.is_coordinator:
        lokasi = lokasi[lokasi["anggota_id"].astype(str) == str(actor.anggota_id)]
    return [
        {"id": str(r["id"]), "nama": str(r["nama"]), "anggota_id": str(r["anggota_id"]),
         "lon": float(r.geometry.x), "lat": float(r.geometry.y)}
        for _i, r in lokasi.iterrows() if r.geometry is not None
    ]  # fmt: skip


def _id_baru() -> str:
    ids = set(context.snapshot().layers["lokasi"]["id"].astype(str))
    nums = [int(m.group(1)) for i in ids if (m := re.fullmatch(r"LOK-(\d+)", i))]
    n = max(nums, default=0) + 1
    while f"LOK-{n:03d}" in ids:
        n += 1
    return f"LOK-{n:03d}"


def _float(raw: str | None, name: str) -> float:
    try:
        value = float((raw or "").strip().replace(",", "."))
    except ValueError:
        raise params.ParameterError(f"{name} harus angka (derajat desimal)", name) from None
    if not math.isfinite(value):
        raise params.ParameterError(f"{name} harus angka terhingga", name)
    return value


def _halaman_peta_lokasi(actor: Actor, isian: dict[str, Any], **kw: Any) -> str:
    anggota = context.layer("anggota")
    pilihan = (
        sorted(zip(anggota["id"].astype(str), anggota["nama"].astype(str)))
        if actor.is_coordinator
        else []
    )
    return render_template(
        "laporan/peta_lokasi.html",
        isian=isian,
        lokasi_saya=_lokasi_saya(actor),
        pilihan_anggota=pilihan,
        jenis=schema_mod.get("lokasi").field("jenis").enum or (),
        peta_dasar_daring=bool(current_app.config["PETA_DASAR_DARING"]),
        ada_desa=len(context.layer("desa")) > 0,
        ada_jalan=context.snapshot().ada_jalan,
        pesan=get_flashed_messages(),
        **kw,
    )


@bp.get("/lokasi")
@auth.perlu_masuk
def peta_lokasi() -> str:
    actor = _pelaku()
    lid = request.args.get("id")
    if lid:
        lok = _lokasi(lid)
        _boleh_tulis(actor, lok)
        isian = {**lok, "baru": False}
    else:
        isian = {"id": _id_baru(), "nama": "", "jenis": "gudang", "lon": None, "lat": None,
                 "anggota_id": actor.anggota_id or "", "baru": True}  # fmt: skip
    return _halaman_peta_lokasi(actor, isian)


@bp.post("/lokasi")
@auth.perlu_masuk
def simpan_lokasi() -> Any:
    actor = _pelaku("web")
    f = request.form
    isian = {
        "id": (f.get("id") or "").strip()[:64],
        "nama": (f.get("nama") or "").strip()[:200],
        "jenis": (f.get("jenis") or "").strip() or None,
        "anggota_id": (f.get("anggota_id") or "").strip() or None,
        "lon": f.get("lon"),
        "lat": f.get("lat"),
        "baru": f.get("baru") == "1",
    }
    masalah: list[Problem] = []
    try:
        if not isian["id"] or not isian["nama"]:
            raise params.ParameterError(_("isi kode dan nama lokasi"), "nama")
        lon, lat = _float(isian["lon"], "lon"), _float(isian["lat"], "lat")
        aksi = reports.save_site(
            _store(), actor, id=isian["id"], nama=isian["nama"], lon=lon, lat=lat,
            anggota_id=isian["anggota_id"] if actor.is_coordinator else None,
            jenis=isian["jenis"], source="formulir lokasi",
        )  # fmt: skip
    except ValidationError as exc:
        masalah = exc.problems
    except (InputError, params.ParameterError) as exc:
        masalah = [Problem(exc.message)]
    if masalah:
        return _halaman_peta_lokasi(actor, isian, masalah=masalah), 400
    flash(
        _("Lokasi %(id)s ditambahkan.", id=isian["id"])
        if aksi == "baru"
        else _("Lokasi %(id)s diperbarui.", id=isian["id"])
    )
    return redirect(url_for("laporan.peta_lokasi", id=isian["id"]), code=303)


# -- coordinator -----------------------------------------------------------------------------


@bp.get("/koordinator/usang")
@auth.perlu_koordinator
def usang() -> str:
    per = _per()
    hari = per or _hari_ini()
    periode = _periode()
    tabel = reports.stale_members(_store(), today=hari, period_days=periode)
    rows = [
        {
            "id": str(r["id"]),
            "nama": str(r["nama"]),
            "sektor": str(r["sektor"]),
            "kontak": _nilai(r.get("kontak")) or "",
            "telepon": _nilai(r.get("telepon")) or "",
            "terakhir": _nilai(r.get("laporan_terakhir")),
            "usang": bool(r["usang"]),
        }
        for _i, r in tabel.iterrows()
    ]
    return render_template(
        "laporan/usang.html",
        anggota=rows,
        n_usang=sum(r["usang"] for r in rows),
        periode=periode,
        hari=hari,
        per=per,
    )


def _audit() -> tuple[list[dict[str, Any]], dict[str, str]]:
    args = request.args
    try:
        batas = int(args.get("batas") or AUDIT_BAWAAN)
    except ValueError:
        raise params.ParameterError("batas harus bilangan bulat", "batas") from None
    if not 1 <= batas <= AUDIT_MAKS:
        raise params.ParameterError(f"batas harus antara 1 dan {AUDIT_MAKS}", "batas")
    saring = {k: args[k] for k in ("akun", "saluran", "aksi") if args.get(k)}
    log = _store().read_audit()
    for k, v in saring.items():
        log = log[log[k].astype(str) == v]
    rows = []
    for _i, r in log.head(batas).iterrows():
        try:
            rincian = json.loads(r["rincian"]) if r["rincian"] else {}
        except ValueError:
            rincian = {"teks": r["rincian"]}
        rows.append(
            {
                "id": int(r["id"]),
                "waktu": str(r["waktu"]),
                "akun": str(r["akun"]),
                "saluran": str(r["saluran"]),
                "aksi": str(r["aksi"]),
                "lapisan": _nilai(r["lapisan"]),
                "jumlah": _nilai(r["jumlah"]),
                "rincian": rincian,
            }
        )
    return rows, saring


@bp.get("/koordinator/audit")
@auth.perlu_koordinator
def audit_halaman() -> str:
    rows, saring = _audit()
    return render_template("laporan/audit.html", catatan=rows, saring=saring)


# -- API -------------------------------------------------------------------------------------


@bp.get("/api/audit")
@auth.perlu_koordinator
def audit_api() -> Response:
    rows, _n = _audit()
    return jsonify({"catatan": rows, "jumlah": len(rows)})


def _json_badan() -> Any:
    """The JSON body, or None when it is not JSON (nested too deep included: a 400, not 500)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _baris_json(data: Any) -> tuple[str, list[dict[str, Any]]]:
    """``lokasi_id`` and rows of a JSON report; shape problems named per row (400)."""
    if not isinstance(data, dict):
        raise params.ParameterError(
            'badan permintaan harus JSON: {"lokasi_id": ..., "baris": [...]}', "baris"
        )
    lokasi_id = data.get("lokasi_id")
    if not isinstance(lokasi_id, str) or not lokasi_id.strip():
        raise params.ParameterError("lokasi_id harus teks kode lokasi", "lokasi_id")
    baris = data.get("baris")
    if not isinstance(baris, list) or not baris:
        raise params.ParameterError("baris harus daftar berisi paling sedikit satu baris", "baris")
    if len(baris) > reports.MAX_ROWS:
        raise params.ParameterError(f"paling banyak {reports.MAX_ROWS} baris", "baris")
    masalah: list[Problem] = []
    for i, row in enumerate(baris, start=1):
        if not isinstance(row, dict):
            masalah.append(Problem("baris harus objek JSON", row=i))
            continue
        masalah += reports.row_problems(row, i)
    if masalah:
        raise ValidationError("laporan", masalah)
    return lokasi_id.strip(), baris


@bp.post("/api/laporan")
@auth.perlu_masuk
def laporan_api() -> Any:
    actor = _pelaku()
    data = _json_badan()
    lokasi_id = data.get("lokasi_id") if isinstance(data, dict) else None
    if isinstance(lokasi_id, str) and lokasi_id.strip():
        _boleh_tulis(actor, _lokasi(lokasi_id.strip()))  # 404 / 403 before the rows
    try:
        lokasi_id, baris = _baris_json(data)
        n = reports.submit_report(_store(), actor, baris, lokasi_id=lokasi_id, source="laporan")
    except ValidationError as exc:
        return _validation_json(exc)
    return (
        jsonify({"disimpan": n, "lokasi_id": lokasi_id, "versi": _store().version()}),
        201,
    )


@bp.post("/api/lokasi")
@auth.perlu_masuk
def lokasi_api() -> Any:
    actor = _pelaku()
    data = _json_badan()
    if not isinstance(data, dict):
        raise params.ParameterError('badan harus JSON: {"id", "nama", "lon", "lat"}', "id")
    for k in ("id", "nama"):
        if not isinstance(data.get(k), str) or not data[k].strip():
            raise params.ParameterError(f"{k} harus teks", k)
    for k in ("lon", "lat"):
        if isinstance(data.get(k), bool) or not isinstance(data.get(k), int | float):
            raise params.ParameterError(f"{k} harus angka (derajat desimal WGS84)", k)
    try:
        aksi = reports.save_site(
            _store(), actor, id=data["id"].strip(), nama=data["nama"].strip(),
            lon=float(data["lon"]), lat=float(data["lat"]),
            anggota_id=data.get("anggota_id"), jenis=data.get("jenis"), source="lokasi",
        )  # fmt: skip
    except ValidationError as exc:
        return _validation_json(exc)
    return jsonify({"id": data["id"].strip(), "aksi": aksi}), 201 if aksi == "baru" else 200


@bp.get("/api/stok.json")
def stok_api() -> Response:
    """Stock per site and item as it stood at the end of ``per`` (default: all reports)."""
    per = _per()
    stok = _stok_per(per)
    lid = request.args.get("lokasi_id")
    if lid:
        _lokasi(lid)
        stok = stok[stok["lokasi_id"].astype(str) == lid]
    cols = [*reports.REPORT_COLUMNS, "dilaporkan"]
    rows = [{c: _nilai(r.get(c)) for c in cols} for _i, r in stok.iterrows()]
    return jsonify({"per": per.isoformat() if per else None, "stok": rows})
