"""Shared pytest fixtures for geo_klaster's tests.

Run the suite with ``bash scripts/test.sh``: it installs the package (non-editable) into
.venv, starts a throwaway PostGIS server and exports ``GEO_KLASTER_TEST_PG``.
Fixtures shared by several modules live here (the demo store, the web app and its test
client); a module adds only what is its own.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import psycopg

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DAY = dt.date(2026, 11, 27)  # the reference date of the demo's reports in the web tests


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared test data beside the checkout: ``<repo root>/../shared/data``."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"../shared/data is absent (it exists beside the checkout in CI): {SHARED_DATA}"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgis_url() -> str:
    """URL of the PostGIS server started by scripts/test.sh (env GEO_KLASTER_TEST_PG)."""
    url = os.environ.get("GEO_KLASTER_TEST_PG")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(
                "GEO_KLASTER_TEST_PG is unset under CI: the tests must run through "
                "`bash scripts/test.sh`, which starts PostGIS (CI must not skip them)"
            )
        pytest.skip(
            "GEO_KLASTER_TEST_PG is unset: run `bash scripts/test.sh`, "
            "which starts a throwaway PostGIS server"
        )
    return url


@pytest.fixture
def pg_conn(postgis_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit psycopg (v3) connection to the test PostGIS database."""
    import psycopg

    conn = psycopg.connect(postgis_url, autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def tmp_store(tmp_path: Path) -> Path:
    """Path (not yet created) of a GeoPackage store in the test's temp dir."""
    return tmp_path / "klaster.gpkg"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Kabupaten Bekasi demo store (reports dated up to :data:`DAY`), one per module."""
    from geo_klaster.demo.store import build_demo_store
    from geo_klaster.store import open_store

    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    build_demo_store(open_store(path), today=DAY)
    return path


@pytest.fixture(scope="module")
def app(demo_store: Path) -> Any:
    """The web app on :func:`demo_store`, analysing as of :data:`DAY`."""
    from geo_klaster.web import create_app

    return create_app({"STORE": demo_store, "TODAY": DAY})


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    """A Flask test client of :func:`app`."""
    return app.test_client()


# -- stores with accounts, for the identity and reporting tests -----------------------------


@pytest.fixture(scope="module")
def demo_akun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store (reports dated up to web_akun.TODAY), built once per module."""
    from web_akun import build_demo

    return build_demo(tmp_path_factory.mktemp("akun") / "demo.gpkg")


@pytest.fixture
def store_akun(demo_akun: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of :func:`demo_akun` with accounts ``bpbd`` (coordinator), ``a1``,
    ``a2`` and an API token each: ``(path, {account: token})``."""
    from web_akun import fresh_store

    return fresh_store(demo_akun, tmp_path)


@pytest.fixture
def app_akun(store_akun: tuple[Path, dict[str, str]]) -> Any:
    """The web app on :func:`store_akun` (a fixed session secret)."""
    from web_akun import make_app

    return make_app(store_akun[0])


@pytest.fixture
def client_akun(app_akun: Any) -> Any:
    """A Flask test client of :func:`app_akun`."""
    return app_akun.test_client()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright, one per test module (skips without it)."""
    from servers import CHROMIUM, CHROMIUM_ARGS, need_browser

    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def demo_location(
    request: pytest.FixtureRequest, demo_store: Path, tmp_path: Path
) -> Iterator[str]:
    """A fresh copy of the module's demo store in each backend: a GeoPackage path, or a
    PostGIS URL with a schema of its own (dropped afterwards)."""
    import shutil
    import uuid

    from geo_klaster.store import open_store
    from geo_klaster.store.copy import copy_store

    if request.param == "gpkg":
        path = tmp_path / "demo.gpkg"
        shutil.copy(demo_store, path)
        yield str(path)
        return
    pg_conn = request.getfixturevalue("pg_conn")
    schema = "t_" + uuid.uuid4().hex[:12]
    url = f"{request.getfixturevalue('postgis_url')}?schema={schema}"
    copy_store(open_store(demo_store), open_store(url))
    yield url
    pg_conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
