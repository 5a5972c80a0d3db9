"""Identity on the web: sign-in for people, bearer tokens for systems, CSRF, rate limits.

Who is asking
-------------
* People sign in at ``/masuk`` (password checked by
  :func:`geo_klaster.members.accounts.authenticate_password`) and get a Flask session: a signed
  cookie (HttpOnly, SameSite=Lax) holding the account name, a fingerprint of its password
  hash (a password reset ends every session of that account), the CSRF token and the
  time it was issued. The account is checked on every request that carries a session, so
  a disabled account is out at once (it is read from the store once per data version, as
  are tokens: every write, disabling an account or revoking a token too, raises the version
  in every process). ``/keluar`` (POST) ends the session -- and every
  other session of that account issued before then, copied cookies included: the store's
  metadata keeps ``sesi:<akun>`` = the logout time (ns since the epoch), shared by every
  server process, and a session issued earlier counts as signed out. That value is read
  once per account and data version (every write, a logout too, raises the version).
  The cookie is ``geo_klaster_sesi`` (``SESSION_COOKIE_NAME``); ``SESSION_COOKIE_SECURE``
  (``$GEO_KLASTER_COOKIE_SECURE=1``, see :mod:`web`) keeps it to HTTPS.
* Other systems send ``Authorization: Bearer <token>``
  (:func:`geo_klaster.members.accounts.authenticate_token`). Such a request uses the token only
  (never the cookie) and needs no CSRF token. A bad or revoked token is a 401.

The session's secret key is the config's ``SECRET_KEY``, else ``$GEO_KLASTER_SECRET``, else
a random key per process (logged as a warning: sessions then end when the server restarts,
and several server processes would not share them).

What is checked, in this order, before a view runs (:func:`_jaga`)
-----------------------------------------------------------------
1. identity (a bad token: 401);
2. views marked :func:`perlu_masuk` / :func:`perlu_koordinator` without identity: 401 (a
   page asked with GET is sent to ``/masuk`` instead) -- before the body is read;
3. for POST/PUT/PATCH/DELETE without a token: the CSRF token (form field ``csrf_token`` or
   header ``X-CSRF-Token``) against the session's, with :func:`hmac.compare_digest`;
   missing: 400, wrong: 403;
4. for writes: the rate limit per account (429 with ``Retry-After``);
5. coordinator-only views: 403 for a member.

Limits (configuration keys)
---------------------------
``BATAS_TULIS_PER_MENIT`` (60), ``BATAS_TULIS_LONJAKAN`` (20)
    Writes per account: a token bucket of ``LONJAKAN`` requests refilled at ``PER_MENIT``.
``BATAS_MASUK_PER_MENIT`` (6), ``BATAS_MASUK_LONJAKAN`` (5)
    Failed sign-ins per (client address, account name) pair.
``BATAS_MASUK_ALAMAT_PER_MENIT`` (20), ``BATAS_MASUK_ALAMAT_LONJAKAN`` (10)
    Failed sign-ins per client address, whatever the names tried.
    Only failures are counted, and never per account name alone: others cannot lock a
    person out by failing on their name; an address whose bucket is empty waits (429
    with ``Retry-After``), even with the right password. (Guessing from many addresses
    is slowed by the cost of scrypt only.)
``MAX_CONTENT_LENGTH`` (2 MB)
    Larger request bodies are refused with 413 before they are read.
Buckets live in memory, per process. Behind a reverse proxy the client address is the
proxy's unless the deployment applies ``werkzeug.middleware.proxy_fix.ProxyFix``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from geo_klaster.web.params import WebError
from markupsafe import Markup, escape

from geo_klaster.actor import Actor
from geo_klaster.errors import AuthError, ForbiddenError
from geo_klaster.i18n import _
from geo_klaster.members import accounts
from geo_klaster.store import Store

__all__ = [
    "Pembatas",
    "csrf_token",
    "identitas",
    "init_app",
    "perlu_koordinator",
    "perlu_masuk",
]

log = logging.getLogger("geo_klaster.web")

bp = Blueprint("auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
AMAN = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
BATAS_KEY = "geo_klaster_batas"
SESI_KEY = "geo_klaster_akhir_sesi"  # app.extensions: (data version, {akun: sign-out})
BACA_KEY = "geo_klaster_baca_akun"  # app.extensions: (data version, {(kind, key): value})
MAKS_BACA = 10_000  # accounts and tokens remembered per data version (then forgotten)
SESI_META = "sesi:"  # store metadata: sesi:<akun> = last sign-out (ns since the epoch)
MAKS_SANDI = 1024  # characters read from a password field
# A real scrypt hash of a random password: unknown accounts cost as much as known ones.
_SANDI_SEMU = accounts.hash_password(secrets.token_urlsafe(16))


# -- errors ----------------------------------------------------------------------------------


class TidakBerwenang(WebError):
    """No valid identity (HTTP 401)."""

    status = 401


class Terlarang(WebError):
    """An identity that may not do this (HTTP 403)."""

    status = 403


class TerlaluBanyak(WebError):
    """Too many requests from one client (HTTP 429)."""

    status = 429

    def __init__(self, message: str, tunggu_s: float) -> None:
        super().__init__(message)
        self.tunggu_s = tunggu_s


class TerlaluBesar(WebError):
    """A request body above ``MAX_CONTENT_LENGTH`` (HTTP 413)."""

    status = 413


# -- rate limit ------------------------------------------------------------------------------


class Pembatas:
    """Token buckets per key: ``lonjakan`` requests at once, refilled at ``per_menit``.

    Thread-safe; at most ``maks_kunci`` keys are kept (full buckets are forgotten first,
    then the least recently used), so many clients cannot exhaust memory either.
    """

    def __init__(
        self,
        per_menit: float,
        lonjakan: int,
        *,
        maks_kunci: int = 10_000,
        jam: Callable[[], float] = time.monotonic,
    ) -> None:
        self.laju = float(per_menit) / 60.0  # tokens per second
        self.lonjakan = float(max(1, int(lonjakan)))
        self.maks_kunci = maks_kunci
        self.jam = jam
        self._ember: dict[str, tuple[float, float]] = {}  # key -> (tokens, time)
        self._lock = threading.Lock()

    def ambil(self, kunci: str) -> float | None:
        """Take one token for ``kunci``: None when allowed, else the seconds to wait."""
        now = self.jam()
        with self._lock:
            tokens, then = self._ember.pop(kunci, (self.lonjakan, now))
            tokens = min(self.lonjakan, tokens + (now - then) * self.laju)
            if tokens >= 1.0:
                self._ember[kunci] = (tokens - 1.0, now)
                self._pangkas(now)
                return None
            self._ember[kunci] = (tokens, now)
            return (1.0 - tokens) / self.laju if self.laju > 0 else 3600.0

    def kembalikan(self, kunci: str) -> None:
        """Give back a token taken by :meth:`ambil` (the request did not count)."""
        now = self.jam()
        with self._lock:
            if kunci not in self._ember:
                return  # forgotten: it is full
            tokens, then = self._ember.pop(kunci)
            self._ember[kunci] = (min(self.lonjakan, tokens + (now - then) * self.laju + 1), now)

    def _pangkas(self, now: float) -> None:
        if len(self._ember) <= self.maks_kunci:
            return
        penuh = [
            k for k, (t, w) in self._ember.items() if t + (now - w) * self.laju >= self.lonjakan
        ]
        for k in penuh:
            del self._ember[k]
        while len(self._ember) > self.maks_kunci:  # dicts keep insertion order: oldest first
            del self._ember[next(iter(self._ember))]


def _batas(jenis: str) -> Pembatas:
    return current_app.extensions[BATAS_KEY][jenis]


def _terlalu_banyak(jenis: str, tunggu: float) -> TerlaluBanyak:
    apa = _("percobaan masuk") if jenis.startswith("masuk") else _("permintaan tulis")
    return TerlaluBanyak(
        _(
            "Terlalu banyak %(apa)s; coba lagi dalam %(detik)s detik",
            apa=apa,
            detik=max(1, round(tunggu)),
        ),
        tunggu,
    )


def _periksa_batas(jenis: str, kunci: str) -> None:
    tunggu = _batas(jenis).ambil(kunci)
    if tunggu is not None:
        raise _terlalu_banyak(jenis, tunggu)


def _ambil_batas_masuk(nama: str) -> list[tuple[Pembatas, str]]:
    """Take a token from this address's sign-in buckets (429 when one is empty).

    Returns the tokens taken: the caller gives them back when the sign-in succeeds, so
    only failures count.
    """
    alamat = _alamat()
    ember = [(_batas("masuk_alamat"), "ip:" + alamat)]
    if nama:
        ember.append((_batas("masuk"), "ip-akun:" + alamat + "\x00" + nama.lower()))
    diambil: list[tuple[Pembatas, str]] = []
    for pembatas, kunci in ember:
        tunggu = pembatas.ambil(kunci)
        if tunggu is not None:
            for p, k in diambil:
                p.kembalikan(k)
            raise _terlalu_banyak("masuk", tunggu)
        diambil.append((pembatas, kunci))
    return diambil


def _alamat() -> str:
    return request.remote_addr or "?"


# -- identity --------------------------------------------------------------------------------


def _store() -> Store:
    return current_app.extensions["geo_klaster"].store()


def identitas() -> Actor | None:
    """Who is asking (None: anonymous). Set before every view by :func:`_jaga`."""
    return g.get("identitas")


def lewat_token() -> bool:
    """Whether this request was authenticated by an API token (not a session)."""
    return bool(g.get("lewat_token"))


def _sidik(sandi_hash: str | None) -> str:
    """A fingerprint of the password hash: a new password ends the old sessions."""
    return hashlib.sha256((sandi_hash or "").encode()).hexdigest()[:16]


def _sekali_per_versi(kind: str, key: str, read: Callable[[], T]) -> T:
    """``read()`` once per data version and ``(kind, key)``: every write raises the version
    (an account disabled, a password reset, a token revoked or issued), so the next request
    in any process reads anew -- as if it were read every time, without a store query per
    signed-in request. The version is read first: a value is never older than its label."""
    versi = _store().version()
    simpan = current_app.extensions.get(BACA_KEY)
    if simpan is None or simpan[0] != versi:
        simpan = (versi, {})
        current_app.extensions[BACA_KEY] = simpan  # replaced whole: no lock needed
    nilai: dict[tuple[str, str], Any] = simpan[1]
    if (kind, key) not in nilai:
        if len(nilai) >= MAKS_BACA:  # many different tokens tried: start again
            nilai.clear()
        nilai[(kind, key)] = read()
    return nilai[(kind, key)]


def _actor_token(token: str) -> Actor | str:
    """The actor of an API token, or the message of the refusal."""
    try:
        return accounts.authenticate_token(_store(), token, saluran="api")
    except AuthError as exc:
        return exc.message


def _muat_identitas() -> None:
    g.identitas = None
    g.lewat_token = False
    header = request.headers.get("Authorization")
    if header is not None:
        skema, _sep, token = header.strip().partition(" ")
        if skema.lower() != "bearer" or not token.strip():
            raise TidakBerwenang("header Authorization harus 'Bearer <token>'", "Authorization")
        token = token.strip()
        found = _sekali_per_versi("token", accounts.token_hash(token), lambda: _actor_token(token))
        if isinstance(found, str):
            raise AuthError(found)
        g.identitas = found
        g.lewat_token = True
        return
    nama = session.get("akun")
    if not nama:
        return
    store = _store()
    account = _sekali_per_versi("akun", str(nama), lambda: store.account(str(nama)))
    akhir = _akhir_sesi(store, str(nama)) if account is not None else None
    terbit = session.get("terbit")
    if (
        account is None
        or not account.aktif
        or not hmac.compare_digest(str(session.get("sidik", "")), _sidik(account.sandi_hash))
        or (akhir is not None and (not isinstance(terbit, int) or terbit < akhir))
    ):
        for kunci in ("akun", "sidik", "terbit"):
            session.pop(kunci, None)
        return
    g.identitas = Actor(account.nama, account.peran, account.anggota_id, "web")


def _akhir_sesi(store: Store, nama: str) -> int | None:
    """When ``nama`` last signed out (ns; None: never): earlier sessions are void.

    Read from the store once per account and data version (a logout is a write, so it
    raises the version, in every process).
    """
    versi = store.version()  # before get_meta: a value is never newer than its label
    simpan = current_app.extensions.get(SESI_KEY)
    if simpan is None or simpan[0] != versi:
        simpan = (versi, {})
        current_app.extensions[SESI_KEY] = simpan  # replaced whole: no lock needed
    akun: dict[str, int | None] = simpan[1]
    if nama not in akun:
        nilai = store.get_meta(SESI_META + nama)
        try:
            akun[nama] = int(nilai) if nilai is not None else None
        except ValueError:
            log.warning("nilai %s%s tidak dikenal: %r", SESI_META, nama, nilai)
            akun[nama] = None
    return akun[nama]


def perlu_masuk(view: F) -> F:
    """Mark a view as needing an identity (a signed-in person or an API token)."""
    view._perlu = "masuk"  # type: ignore[attr-defined]
    return view


def perlu_koordinator(view: F) -> F:
    """Mark a view as the coordinator's only."""
    view._perlu = "koordinator"  # type: ignore[attr-defined]
    return view


def _jaga() -> Response | None:
    """Identity, then 401, CSRF, rate limit and role, in that order (module docstring)."""
    g.identitas = None
    g.lewat_token = False
    if request.routing_exception is not None or request.endpoint is None:
        return None
    if request.endpoint == "static" or request.endpoint.startswith("assets."):
        return None
    _muat_identitas()
    view = current_app.view_functions.get(request.endpoint)
    perlu = getattr(view, "_perlu", None)
    actor = identitas()
    menulis = request.method not in AMAN
    if perlu and actor is None:
        if not menulis and not request.path.startswith("/api/"):
            return redirect(url_for("auth.masuk", next=_jalur_sini()))
        raise TidakBerwenang(
            "Masuk dulu, atau kirim header 'Authorization: Bearer <token>' "
            "/ sign in or send an API token"
        )
    if menulis and not lewat_token():
        _periksa_csrf()
    if menulis and perlu and actor is not None:
        _periksa_batas("tulis", "akun:" + actor.nama)
    if perlu == "koordinator" and actor is not None and not actor.is_coordinator:
        raise Terlarang(_("Hanya koordinator (BPBD) / coordinator only"))
    return None


def _jalur_sini() -> str:
    qs = request.query_string.decode("latin-1")
    return request.path + ("?" + qs if qs else "")


# -- CSRF ------------------------------------------------------------------------------------


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get("_csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["_csrf"] = token
    return str(token)


def csrf_field() -> Markup:
    """The hidden form field carrying the CSRF token."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token())
    )


def _periksa_csrf() -> None:
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not sent:
        raise WebError(
            _(
                "Token CSRF tidak ada: kirim formulir dari halaman aplikasi ini / missing CSRF token"
            ),
            CSRF_FIELD,
        )
    expected = session.get("_csrf")
    if not expected or not hmac.compare_digest(
        str(sent).encode("utf-8", "replace"), str(expected).encode("utf-8", "replace")
    ):
        raise Terlarang(
            _(
                "Token CSRF salah atau sesi sudah berakhir: muat ulang halaman lalu kirim lagi "
                "/ wrong CSRF token"
            ),
            CSRF_FIELD,
        )


# -- sign-in ---------------------------------------------------------------------------------


def _tujuan_aman(raw: str | None) -> str | None:
    """``next`` only when it is a path on this site (no open redirect)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in raw):
        return None
    return raw


@bp.route("/masuk", methods=["GET", "POST"])
def masuk() -> Any:
    tujuan = _tujuan_aman(request.values.get("next"))
    if request.method == "GET":
        return _halaman_masuk(tujuan)
    nama = request.form.get("nama", "").strip()[:64]
    sandi = request.form.get("sandi", "")[:MAKS_SANDI]
    diambil = _ambil_batas_masuk(nama)  # only failures count: given back on success
    store = _store()
    try:
        actor = accounts.authenticate_password(store, nama, sandi, saluran="web")
    except AuthError:
        if store.account(nama) is None:
            accounts.check_password(sandi, _SANDI_SEMU)  # the same cost as a wrong password
        log.info("masuk gagal: akun=%r dari %s", nama, _alamat())
        return _halaman_masuk(tujuan, nama=nama, galat=_("Nama akun atau kata sandi salah.")), 401
    account = store.account(actor.nama)
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    session.permanent = True
    session["akun"] = actor.nama
    session["sidik"] = _sidik(account.sandi_hash if account else None)
    session["terbit"] = time.time_ns()
    csrf_token()
    for pembatas, kunci in diambil:
        pembatas.kembalikan(kunci)
    log.info("masuk: akun=%s dari %s", actor.nama, _alamat())
    return redirect(tujuan or url_for("laporan.daftar"))


def _halaman_masuk(tujuan: str | None, *, nama: str = "", galat: str | None = None) -> str:
    return render_template("masuk.html", tujuan=tujuan, nama=nama, galat_masuk=galat)


@bp.route("/keluar", methods=["GET", "POST"])
def keluar() -> Any:
    if request.method == "GET":
        return render_template("keluar.html")
    nama = session.get("akun") if identitas() is not None and not lewat_token() else None
    session.clear()
    if nama:  # every session of this account issued until now ends, copies too
        with _store().transaction() as tx:
            tx.set_meta(SESI_META + str(nama), str(time.time_ns()))
        log.info("keluar: akun=%s dari %s", nama, _alamat())
    return redirect(url_for("maps.ikhtisar"))


# -- setup -----------------------------------------------------------------------------------


def _kunci_rahasia(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    env = os.environ.get("GEO_KLASTER_SECRET")
    if env:
        app.config["SECRET_KEY"] = env
        return
    app.config["SECRET_KEY"] = secrets.token_bytes(32)
    log.warning(
        "SECRET_KEY dan $GEO_KLASTER_SECRET tidak diatur: kunci sesi acak per proses "
        "(sesi berakhir saat server dimulai ulang) / no secret key set, using a random one"
    )


def _jawab(exc: WebError) -> Response:
    if request.path.startswith("/api/"):
        resp = jsonify(exc.as_json())
    else:
        g.tanpa_query = True
        resp = current_app.make_response(
            render_template("galat.html", galat=exc, status=exc.status)
        )
    resp.status_code = exc.status
    if exc.status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="geo_klaster"'
    if isinstance(exc, TerlaluBanyak):
        resp.headers["Retry-After"] = str(max(1, int(exc.tunggu_s + 0.999)))
    return resp


def _header_keamanan(resp: Response) -> Response:
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if identitas() is not None and resp.mimetype in ("text/html", "application/json"):
        # pages for a signed-in person may hold personal data: never in a shared cache
        resp.headers["Cache-Control"] = "private, no-store"
        resp.vary.add("Cookie")
        resp.vary.add("Authorization")
    return resp


def _konteks() -> dict[str, Any]:
    return {"identitas": identitas(), "csrf_field": csrf_field, "csrf_token": csrf_token}


def init_app(app: Flask) -> None:
    """Sessions, the request guard, limits, error answers and ``/masuk``, ``/keluar``."""
    _kunci_rahasia(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg = app.config
    app.extensions[BATAS_KEY] = {
        "tulis": Pembatas(cfg["BATAS_TULIS_PER_MENIT"], cfg["BATAS_TULIS_LONJAKAN"]),
        "masuk": Pembatas(cfg["BATAS_MASUK_PER_MENIT"], cfg["BATAS_MASUK_LONJAKAN"]),
        "masuk_alamat": Pembatas(
            cfg["BATAS_MASUK_ALAMAT_PER_MENIT"], cfg["BATAS_MASUK_ALAMAT_LONJAKAN"]
        ),
    }
    app.extensions.pop(SESI_KEY, None)
    app.extensions.pop(BACA_KEY, None)
    app.before_request(_jaga)
    app.after_request(_header_keamanan)
    app.context_processor(_konteks)
    for cls in (TidakBerwenang, Terlarang, TerlaluBanyak, TerlaluBesar):
        app.register_error_handler(cls, _jawab)
    app.register_error_handler(AuthError, lambda e: _jawab(TidakBerwenang(e.message)))
    app.register_error_handler(ForbiddenError, lambda e: _jawab(Terlarang(e.message)))

    def terlalu_besar(_exc: Exception) -> Response:
        batas = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        return _jawab(
            TerlaluBesar(
                f"Permintaan terlalu besar: paling banyak {batas / 1e6:g} MB "
                "/ request body too large"
            )
        )

    app.register_error_handler(413, terlalu_besar)
    app.register_blueprint(bp)


DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 2 * 1000 * 1000,
    "BATAS_TULIS_PER_MENIT": 60,
    "BATAS_TULIS_LONJAKAN": 20,
    "BATAS_MASUK_PER_MENIT": 6,
    "BATAS_MASUK_LONJAKAN": 5,
    "BATAS_MASUK_ALAMAT_PER_MENIT": 20,
    "BATAS_MASUK_ALAMAT_LONJAKAN": 10,
    "SESSION_COOKIE_NAME": "geo_klaster_sesi",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
}
