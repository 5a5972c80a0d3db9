"""``geo-klaster serve``: the web package's command, registered with the CLI.

The command line (:mod:`geo_klaster.cli`) never imports the web: it discovers further
commands through the entry-point group ``geo_klaster.perintah`` that this package declares
in ``pyproject.toml`` (``serve = "geo_klaster.web.command:register"``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from geo_klaster.analysis.compiled import warm
from geo_klaster.errors import InputError, StoreError
from geo_klaster.i18n import _
from geo_klaster.store import open_store


def register(
    sub: argparse._SubParsersAction, parent: argparse.ArgumentParser
) -> Callable[[argparse.Namespace, str], int]:
    """Add the ``serve`` subcommand to ``sub``; returns its handler."""
    p = sub.add_parser("serve", parents=[parent], help=_("jalankan layanan peta"))
    p.add_argument(
        "--host", default="127.0.0.1", help=_("alamat (default 127.0.0.1; 0.0.0.0 = semua)")
    )
    p.add_argument("--port", type=int, default=5000, help=_("port (default 5000)"))
    p.add_argument(
        "--proses",
        type=_positive,
        default=1,
        metavar="N",
        help=_("proses pekerja (default 1 = waitress; N > 1 = gunicorn dengan N proses)"),
    )
    p.add_argument(
        "--zona-waktu",
        metavar="ZONA",
        help=_("zona waktu kabupaten: WIB (default), WITA atau WIT"),
    )
    add_limit_options(p)
    return run


def add_limit_options(p: argparse.ArgumentParser) -> None:
    """The options that keep the service up (defaults in :class:`web.ServeOptions`)."""
    from geo_klaster.web import ServeOptions
    from geo_klaster.web.cache import CACHE_MB_DEFAULT

    d = ServeOptions()
    p.add_argument(
        "--batas-koneksi",
        type=_positive,
        metavar="N",
        help=_(
            "koneksi terbuka serentak paling banyak, per proses (default %(n)s)",
            n=d.batas_koneksi,
        ),
    )
    p.add_argument(
        "--batas-waktu",
        type=_positive,
        metavar="DETIK",
        help=_(
            "koneksi diam atau lambat ditutup setelah sekian detik (default %(n)s)",
            n=d.batas_waktu,
        ),
    )
    p.add_argument(
        "--utas",
        type=_positive,
        metavar="N",
        help=_("utas pekerja per proses (default %(n)s)", n=d.utas),
    )
    p.add_argument(
        "--batas-cache-mb",
        type=_positive,
        metavar="MB",
        help=_(
            "memori hasil analisis, GeoJSON dan peta per proses, MB (default %(n)s)",
            n=CACHE_MB_DEFAULT,
        ),
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"harus bilangan bulat >= 1 / must be a whole number >= 1: {text!r}"
        )
    return value


def run(args: argparse.Namespace, location: str) -> int:
    """Serve the store at ``location`` until interrupted (exit 1 if it does not exist)."""
    store = open_store(location)
    if not store.exists():
        raise StoreError(
            f"penyimpanan belum ada / store does not exist: {store.location} "
            "(jalankan `geo-klaster demo` atau `geo-klaster init` dulu)"
        )
    from geo_klaster.web import serve, serve_options

    # The analysis kernels compiled (once after an install, ~8 s) or loaded from Numba's
    # cache (~0.2 s) before serving, in this process: gunicorn's workers are forked from it
    # and start with them. Not on a thread: one still running at the fork could leave a
    # lock (Numba's, the import lock) held for ever in a worker, hanging its first analysis.
    warm()

    config: dict[str, object] = {}
    if args.batas_cache_mb is not None:
        config["BATAS_CACHE_MB"] = args.batas_cache_mb
    if args.zona_waktu is not None:
        from geo_klaster.waktu import zona

        try:
            zona(args.zona_waktu)
        except ValueError as exc:
            raise InputError(f"--zona-waktu: {exc}") from None
        config["ZONA_WAKTU"] = args.zona_waktu
    serve(
        location, args.host, args.port, proses=args.proses, options=serve_options(args),
        config=config,
    )  # fmt: skip
    return 0
