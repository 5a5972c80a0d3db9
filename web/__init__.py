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
``SECRET_KEY``
    Signs the sign-in session (default: ``$GEO_KLASTER_SECRET``, else a random key per
    process, logged as a warning). Sessions, CSRF, tokens and limits
    (``BATAS_TULIS_*``, ``BATAS_MASUK_*``, ``MAX_CONTENT_LENGTH``, 2 MB): see :mod:`web.auth`.
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

from geo_klaster.config import AnalysisConfig
from geo_klaster.errors import KlasterError, NotFoundError, StoreError
from geo_klaster.store import resolve_location
from web.cache import DataCache
from web.params import StoreBelumAda, TidakDitemukan, WebError

__all__ = ["create_app", "run_wsgi", "serve"]

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
        SESSION_COOKIE_SECURE=_env_flag("GEO_KLASTER_COOKIE_SECURE"),
        **auth_defaults(),
    )
    if config:
        app.config.update(config)
    app.config["STORE"] = os.fspath(app.config["STORE"])
    if app.config["PERIODE_LAPORAN_HARI"] is not None:
        app.config["ANALISIS"] = dataclasses.replace(
            app.config["ANALISIS"], periode_laporan_hari=int(app.config["PERIODE_LAPORAN_HARI"])
        )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = DataCache(app.config["STORE"], config=app.config["ANALISIS"])

    from web import api, assets, maps

    app.register_blueprint(assets.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(maps.bp)
    from web import ogc

    app.register_blueprint(ogc.bp)
    _register_errors(app)
    from web import auth, laporan

    auth.init_app(app)  # sessions, CSRF, identity, limits; /masuk, /keluar
    app.register_blueprint(laporan.bp)
    return app


def auth_defaults() -> dict[str, Any]:
    from web.auth import DEFAULTS

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
        return answer(WebError(exc.message))

    @app.errorhandler(404)
    def no_route(_exc: Exception):  # type: ignore[no-untyped-def]
        return answer(TidakDitemukan(f"alamat tidak dikenal: {request.path}"))

    @app.errorhandler(405)
    def bad_method(_exc: Exception):  # type: ignore[no-untyped-def]
        err = WebError(f"metode {request.method} tidak didukung di {request.path}")
        err.status = 405
        return answer(err)

    @app.teardown_request
    def _forget(_exc: BaseException | None) -> None:
        g.pop("klaster_snapshot", None)


def serve(
    store_location: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    threads: int = 8,
    proses: int = 1,
    config: dict[str, Any] | None = None,
) -> None:
    """Run the application until interrupted: waitress for one process, gunicorn for several.

    With ``proses`` > 1, gunicorn runs that many worker processes, each with ``threads``
    threads (``gthread`` workers) and its own app, store connection and cache. Each cache is
    keyed on the store's data version, read on every request (GeoPackage: a few ``stat()``
    calls and, after a change, one meta row; PostGIS: the version row, over a pooled
    connection), so a write through one process is seen by every other at its next request.
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
        Worker threads per process.
    proses
        Worker processes (1 = waitress in this process).
    config
        Further configuration (see :func:`create_app`).
    """
    if proses < 1:
        raise ValueError(f"proses harus >= 1 / processes must be >= 1: {proses}")
    config = {**(config or {}), "STORE": os.fspath(store_location)}
    print(
        f"geo_klaster: http://{host}:{port}/  (penyimpanan: {config['STORE']}, "
        f"{proses} proses x {threads} utas)",
        flush=True,
    )
    if proses > 1 and not config.get("SECRET_KEY") and not os.environ.get("GEO_KLASTER_SECRET"):
        import secrets

        config["SECRET_KEY"] = secrets.token_hex(32)  # one key for all processes of this run
    run_wsgi(lambda: create_app(config), host, port, proses=proses, threads=threads)


def run_wsgi(
    load: Callable[[], Any], host: str, port: int, *, proses: int = 1, threads: int = 8
) -> None:
    """Serve the WSGI app that ``load()`` builds until interrupted: one process on waitress,
    or ``proses`` gunicorn worker processes of ``threads`` threads (``gthread``), each calling
    ``load()`` itself (no preloading: no store connection crosses a fork). The benchmarks
    serve their ceiling app through this too, so both run on the same server."""
    if proses == 1:
        import waitress

        waitress.serve(load(), host=host, port=port, threads=threads, ident="geo_klaster")
        return
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": f"{host}:{port}",
                "workers": proses,
                "threads": threads,
                "worker_class": "gthread",
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
