"""The geo_klaster web application: maps, GeoJSON/CSV/GeoPackage API, offline assets.

``create_app(config)`` builds the Flask application; ``serve(store, host, port)`` runs it on
waitress (``geo-klaster serve``). Configuration is read here, in the factory, never at import.

Configuration keys (all optional except ``STORE``)
--------------------------------------------------
``STORE``
    The store: a GeoPackage path or a ``postgresql://`` URL (default: ``$GEO_KLASTER_STORE``,
    else ``./klaster.gpkg``).
``SKENARIO``
    Scenario shown when a request names none (default: the first by name).
``JARAK_KM``, ``HARI``
    Default reach (km) and days of response (default: :class:`AnalysisConfig`'s).
``TODAY``
    Fixed analysis date (a ``datetime.date`` or ISO text), for tests; default: today.
``ANALISIS``
    An :class:`~geo_klaster.config.AnalysisConfig` (default settings if absent).
``LOKASI_INLINE_MAKS``
    Up to this many sites are written into the page; more are fetched from the API
    (default 1000).
``PETA_DASAR_DARING``
    Offer OpenStreetMap tiles as an optional overlay, off at start (default True).
``PERIODE_LAPORAN_HARI``
    Reporting period: a member whose last report is older is stale (default: the
    ``ANALISIS`` setting, 30 days).
``ZONA_WAKTU``
    The regency's time zone, ``WIB``, ``WITA`` or ``WIT`` (default: the ``ANALISIS``
    setting ``zona_waktu``, WIB; ``serve --zona-waktu``): times on pages, and in GeoJSON/CSV
    as ISO 8601 with its offset.
``BAHASA_SEMU``
    Admit the tests' pseudo-locale ``?lang=xx`` (default False); see :mod:`geo_klaster.web.bahasa`.
``SECRET_KEY``
    Signs the sign-in session (default: ``$GEO_KLASTER_SECRET``, else a random key per
    process, logged as a warning). Sessions, CSRF, tokens and limits
    (``BATAS_TULIS_*``, ``BATAS_MASUK_*``, ``MAX_CONTENT_LENGTH``, 2 MB): see :mod:`geo_klaster.web.auth`.
``BATAS_CACHE_MB``
    Megabytes of derived values (analyses, GeoJSON bodies, maps) kept per data version,
    least recently used first out (default 256; ``serve --batas-cache-mb``); a quarter
    more at most for ready answers (:mod:`geo_klaster.web.ready`).
``SESSION_COOKIE_NAME``
    The sign-in cookie's name (default ``geo_klaster_sesi``).
``SESSION_COOKIE_SECURE``
    Send the sign-in cookie over HTTPS only (default: ``$GEO_KLASTER_COOKIE_SECURE`` is
    ``1``/``true``/``yes``/``ya``/``on``, else False). Turn it on whenever the app is
    served through HTTPS (e.g. behind a TLS reverse proxy); with it on, sign-in over
    plain HTTP no longer works.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from geo_klaster.web.cache import CACHE_MB_DEFAULT, DataCache
from geo_klaster.web.params import StoreBelumAda, TidakDitemukan, WebError

from geo_klaster.config import AnalysisConfig
from geo_klaster.errors import KlasterError, NotFoundError, StoreError
from geo_klaster.i18n import _
from geo_klaster.store import resolve_location

__all__ = ["ServeOptions", "create_app", "make_server", "run_wsgi", "serve", "serve_options"]

EXTENSION = "geo_klaster"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    Parameters
    ----------
    config
        Configuration values (see the module docstring); they override the defaults.
    """
    app = Flask(__name__)
    analysis_cfg = AnalysisConfig()
    app.config.update(
        STORE=resolve_location(None),
        SKENARIO=None,
        JARAK_KM=analysis_cfg.jarak_km,
        HARI=analysis_cfg.hari,
        TODAY=None,
        ANALISIS=analysis_cfg,
        LOKASI_INLINE_MAKS=1000,
        PETA_DASAR_DARING=True,
        JSON_AS_ASCII=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        PERIODE_LAPORAN_HARI=None,
        ZONA_WAKTU=None,
        SESSION_COOKIE_SECURE=_env_flag("GEO_KLASTER_COOKIE_SECURE"),
        BATAS_CACHE_MB=CACHE_MB_DEFAULT,
        **auth_defaults(),
    )
    if config:
        app.config.update(config)
    app.config["STORE"] = os.fspath(app.config["STORE"])
    if app.config["PERIODE_LAPORAN_HARI"] is not None:
        app.config["ANALISIS"] = dataclasses.replace(
            app.config["ANALISIS"], periode_laporan_hari=int(app.config["PERIODE_LAPORAN_HARI"])
        )
    if app.config["ZONA_WAKTU"] is not None:
        app.config["ANALISIS"] = dataclasses.replace(
            app.config["ANALISIS"], zona_waktu=str(app.config["ZONA_WAKTU"])
        )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = DataCache(
        app.config["STORE"],
        config=app.config["ANALISIS"],
        cache_mb=float(app.config["BATAS_CACHE_MB"]),
    )

    from geo_klaster.web import api, assets, maps

    app.register_blueprint(assets.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(maps.bp)
    from geo_klaster.web import ogc

    app.register_blueprint(ogc.bp)
    _register_errors(app)
    from geo_klaster.web import auth, bahasa, laporan

    bahasa.init_app(app)  # ?lang=, cookie, Accept-Language; _() in templates and code
    auth.init_app(app)  # sessions, CSRF, identity, limits; /masuk, /keluar
    app.register_blueprint(laporan.bp)
    from geo_klaster.web.ready import ReadyAnswers

    data = app.extensions[EXTENSION]
    # anonymous API and OGC answers kept as bytes, served without Flask (web.ready)
    app.wsgi_app = ReadyAnswers(  # type: ignore[method-assign]
        app.wsgi_app,
        version=lambda: data.store().version(),
        config=app.config,
        max_bytes=int(float(app.config["BATAS_CACHE_MB"]) * 1_000_000 / 4),
    )
    return app


def auth_defaults() -> dict[str, Any]:
    from geo_klaster.web.auth import DEFAULTS

    return dict(DEFAULTS)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "ya", "on"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    def answer(exc: WebError):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify(exc.as_json()), exc.status
        g.tanpa_query = True
        return render_template("galat.html", galat=exc, status=exc.status), exc.status

    app.register_error_handler(WebError, answer)

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError):  # type: ignore[no-untyped-def]
        return answer(TidakDitemukan(exc.message))

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError):  # type: ignore[no-untyped-def]
        return answer(StoreBelumAda(exc.message))

    @app.errorhandler(KlasterError)
    def klaster_error(exc: KlasterError):  # type: ignore[no-untyped-def]
        g.pesan_ranah = True  # the domain's own message (Bahasa Indonesia / English gloss)
        return answer(WebError(exc.message))

    @app.errorhandler(404)
    def no_route(_exc: Exception):  # type: ignore[no-untyped-def]
        return answer(TidakDitemukan(_("alamat tidak dikenal: %(alamat)s", alamat=request.path)))

    @app.errorhandler(405)
    def bad_method(_exc: Exception):  # type: ignore[no-untyped-def]
        err = WebError(
            _(
                "metode %(metode)s tidak didukung di %(alamat)s",
                metode=request.method,
                alamat=request.path,
            )
        )
        err.status = 405
        return answer(err)

    @app.teardown_request
    def _forget(_exc: BaseException | None) -> None:
        g.pop("klaster_snapshot", None)


@dataclasses.dataclass(frozen=True)
class ServeOptions:
    """How ``serve`` guards the service against slow or many clients: the one place of the
    defaults (``geo-klaster serve`` options; a multi-process server reuses them).

    Attributes
    ----------
    batas_koneksi
        Connections open at once (waitress ``connection_limit``; its default, 100, let 105
        slow anonymous connections stop every other request). Clamped to the process's
        file-descriptor limit.
    batas_waktu
        Seconds an idle or stalled connection is kept (waitress ``channel_timeout``, checked
        every ``batas_waktu / 3`` seconds; waitress's default is 120 s, checked every 30 s).
    utas
        Worker threads answering requests.
    """

    batas_koneksi: int = 1000
    batas_waktu: int = 20
    utas: int = 8

    def waitress_settings(self, max_body_bytes: int) -> dict[str, Any]:
        """Keyword arguments of ``waitress.create_server``."""
        return {
            "connection_limit": _fd_bounded(self.batas_koneksi),
            "channel_timeout": self.batas_waktu,
            "cleanup_interval": max(1, self.batas_waktu // 3),
            "threads": self.utas,
            # poll(), not select(): select() fails on descriptors above 1024 (FD_SETSIZE)
            # and on a descriptor closed while it waits
            "asyncore_use_poll": True,
            # waitress buffers a request body before the app sees it: no bigger than the app takes
            "max_request_body_size": max_body_bytes + 64 * 1024,
            "ident": "geo_klaster",
        }


def _fd_bounded(limit: int) -> int:
    """``limit`` connections, or fewer if the process may not open that many files (the soft
    limit is raised to the hard one first)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < limit + 64:
            target = hard if hard == resource.RLIM_INFINITY else min(hard, limit + 64)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    except (ImportError, ValueError, OSError):
        return limit
    if soft == resource.RLIM_INFINITY:
        return limit
    return max(10, min(limit, soft - 64))


def serve_options(args: Any) -> ServeOptions:
    """:class:`ServeOptions` from parsed ``serve`` arguments (``batas_koneksi``,
    ``batas_waktu``, ``utas``; None keeps the default)."""
    given = {
        name: getattr(args, name)
        for name in ("batas_koneksi", "batas_waktu", "utas")
        if getattr(args, name, None) is not None
    }
    return dataclasses.replace(ServeOptions(), **given)


def make_server(app: Any, host: str, port: int, options: ServeOptions | None = None) -> Any:
    """A waitress server for ``app`` with ``options`` (port 0 picks a free port)."""
    from waitress import create_server

    options = options or ServeOptions()
    config = getattr(app, "config", {})
    body = int(config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
    return create_server(app, host=host, port=port, **options.waitress_settings(body))


def serve(
    store_location: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    threads: int | None = None,
    proses: int = 1,
    options: ServeOptions | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Run the application until interrupted: waitress for one process, gunicorn for several.

    With ``proses`` > 1, gunicorn runs that many worker processes, each with ``threads``
    threads (``gthread`` workers) and its own app, store connection and cache. Each cache is
    keyed on the store's data version, read on every request (GeoPackage: a few ``stat()``
    calls and, after a change, one meta row; PostGIS: the version row, over a pooled
    connection, one query shared by the requests that came before it started), so a write
    through one process is seen by every other at its next request. Anonymous API and OGC
    answers are kept as bytes per version and served before Flask (:mod:`geo_klaster.web.ready`).
    The processes share one session key: the configured one, ``$GEO_KLASTER_SECRET``, or
    one drawn here for this run.

    Parameters
    ----------
    store_location
        The store: a GeoPackage path or a ``postgresql://`` URL.
    host, port
        Address to listen on (default 127.0.0.1:5000; use 0.0.0.0 to listen on every
        interface).
    threads
        Worker threads per process (overrides ``options.utas``).
    proses
        Worker processes (1 = waitress in this process).
    options
        Connection limit, timeouts and threads (:class:`ServeOptions`; safe defaults).
    config
        Further configuration (see :func:`create_app`).
    """
    if proses < 1:
        raise ValueError(f"proses harus >= 1 / processes must be >= 1: {proses}")
    options = options or ServeOptions()
    if threads is not None:
        options = dataclasses.replace(options, utas=threads)
    config = {**(config or {}), "STORE": os.fspath(store_location)}
    print(
        f"geo_klaster: http://{host}:{port}/  (penyimpanan: {config['STORE']}, "
        f"{proses} proses x {options.utas} utas, batas koneksi {options.batas_koneksi}, "
        f"batas waktu {options.batas_waktu} s)",
        flush=True,
    )
    if proses > 1 and not config.get("SECRET_KEY") and not os.environ.get("GEO_KLASTER_SECRET"):
        import secrets

        config["SECRET_KEY"] = secrets.token_hex(32)  # one key for all processes of this run
    run_wsgi(lambda: create_app(config), host, port, proses=proses, options=options)


def run_wsgi(
    load: Callable[[], Any],
    host: str,
    port: int,
    *,
    proses: int = 1,
    threads: int | None = None,
    options: ServeOptions | None = None,
) -> None:
    """Serve the WSGI app that ``load()`` builds until interrupted: one process on waitress,
    or ``proses`` gunicorn worker processes of ``threads`` threads (``gthread``), each calling
    ``load()`` itself (no preloading: no store connection crosses a fork). The benchmarks
    serve their ceiling app through this too, so both run on the same server. ``options``
    (:class:`ServeOptions`) sets the connection limit and timeouts of either server."""
    options = options or ServeOptions()
    if threads is not None:
        options = dataclasses.replace(options, utas=threads)
    if proses == 1:
        server = make_server(load(), host, port, options)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        return
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": f"{host}:{port}",
                "workers": proses,
                "threads": options.utas,
                "worker_class": "gthread",
                # the same bounds as on waitress: connections per worker, idle keep-alive
                "worker_connections": _fd_bounded(options.batas_koneksi),
                "keepalive": min(options.batas_waktu, 5),
                "preload_app": False,
                "proc_name": "geo_klaster",
                "accesslog": None,
                "loglevel": "warning",
                "timeout": 120,
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):  # type: ignore[no-untyped-def]
            return load()

    _App().run()
