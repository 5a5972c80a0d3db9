"""The page language and local time. Language: ``?lang=`` first, then the ``bahasa`` cookie (a switch remembered),
then the browser's ``Accept-Language``; Bahasa Indonesia by default.

``init_app(app)`` installs ``_``/``gettext``/``ngettext`` in the templates (Jinja's i18n
extension, new style: ``{{ _('Teks %(n)s', n=x) }}`` escapes its variables) and sets
:mod:`geo_klaster.i18n`'s current language for each request, so Python code (views, maps,
workbook headers) translates with the same ``_``. Configuration: ``BAHASA_SEMU`` (tests
only) admits the pseudo-locale ``?lang=xx``.

Templates also get ``zona`` (``WIB``/``WITA``/``WIT``, from the analysis configuration's
``zona_waktu``) and ``waktu_lokal(value)``, a stored UTC time shown in that zone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request

from geo_klaster import i18n, waktu

COOKIE = "bahasa"
NAMA_BAHASA = {"id": "Bahasa Indonesia", "en": "English"}


def pilih_bahasa() -> str:
    """This request's language (see the module docstring)."""
    boleh = set(i18n.BAHASA) | ({i18n.SEMU} if current_app.config.get("BAHASA_SEMU") else set())
    for kode in (request.args.get("lang"), request.cookies.get(COOKIE)):
        k = i18n.normalkan(kode)
        if k in boleh:
            return k
    terbaik = request.accept_languages.best_match(list(i18n.BAHASA) + ["in"])
    return i18n.normalkan(terbaik) or i18n.BAKU


def tautan_bahasa(kode: str) -> str:
    """This page in language ``kode`` (its other query arguments kept)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = kode
    return request.script_root + request.path + "?" + urlencode(args)


def init_app(app: Flask) -> None:
    """Per-request language, template callables and the language switch's cookie."""
    app.config.setdefault("BAHASA_SEMU", False)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )

    @app.before_request
    def _set_bahasa() -> None:
        g.bahasa = pilih_bahasa()
        g.bahasa_token = i18n.set_bahasa(g.bahasa)
        # times in files and maps (GeoJSON, CSV) in the regency's zone with its offset
        g.zona_token = waktu.set_zona(current_app.config["ANALISIS"].zona_waktu)

    @app.after_request
    def _ingat(resp: Response) -> Response:
        kode = i18n.normalkan(request.args.get("lang"))
        if kode and kode == g.get("bahasa") and request.cookies.get(COOKIE) != kode:
            resp.set_cookie(COOKIE, kode, max_age=365 * 86400, samesite="Lax", httponly=True)
        if "text/html" in resp.content_type:
            resp.vary.add("Accept-Language")
            resp.vary.add("Cookie")
        return resp

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        zona_token = g.pop("zona_token", None)
        if zona_token is not None:
            try:
                waktu.reset_zona(zona_token)
            except ValueError:  # reset in another context (streamed response)
                waktu.set_zona("WIB")
        token = g.pop("bahasa_token", None)
        if token is not None:
            try:
                i18n._bahasa.reset(token)
            except ValueError:  # reset in another context (streamed response): just go back
                i18n.set_bahasa(i18n.BAKU)

    @app.context_processor
    def _bahasa_halaman() -> dict[str, Any]:
        kode = g.get("bahasa", i18n.BAKU)
        nama_zona = current_app.config["ANALISIS"].zona_waktu
        return {
            # a label held in a variable (sector, hazard class): looked up, never %-formatted
            "terjemah": i18n.gettext,
            "zona": str(waktu.zona(nama_zona).tzname(None)),
            "waktu_lokal": lambda v, detik=False: waktu.tampil(v, nama_zona, detik=detik),
            "bahasa": "en" if kode == i18n.SEMU else kode,
            "pilihan_bahasa": [(k, NAMA_BAHASA[k], tautan_bahasa(k)) for k in i18n.BAHASA],
            "bahasa_kini": kode,
        }
