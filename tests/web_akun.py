"""Helpers for the web tests of identity and reporting: a demo store with accounts, sign-in
through the real form (CSRF included), and a fingerprint of what a write would change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from geo_klaster.cli import main
from geo_klaster.members import accounts
from geo_klaster.store import open_store

TODAY = "2026-11-27"
SANDI = {"bpbd": "rahasia-bpbd", "a1": "rahasia-a1", "a2": "rahasia-a2"}
ANGGOTA = {"a1": "AGT-001", "a2": "AGT-002"}
CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')


def make_app(path: Path, **config: Any) -> Any:
    """The web app on the store at ``path`` (a fixed session secret for the tests)."""
    from geo_klaster.web import create_app

    return create_app({"STORE": path, "SECRET_KEY": "uji-rahasia", **config})


def build_demo(path: Path) -> Path:
    """The demo store at ``path`` (built once per module; copy it per test)."""
    assert main(["--store", str(path), "demo", "--tanggal", TODAY]) == 0
    return path


def fresh_store(template: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the demo with accounts bpbd (coordinator), a1, a2 and a token each."""
    path = tmp_path / "klaster.gpkg"
    shutil.copy(template, path)
    store = open_store(path)
    accounts.create_account(store, "bpbd", peran="koordinator", password=SANDI["bpbd"])
    for name, anggota in ANGGOTA.items():
        accounts.create_account(
            store, name, peran="anggota", password=SANDI[name], anggota_id=anggota
        )
    tokens = {name: accounts.issue_token(store, name, label="uji") for name in SANDI}
    return path, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def site_of(path: Path | str, anggota_id: str) -> str:
    lokasi = open_store(path).read("lokasi")
    return str(lokasi.loc[lokasi["anggota_id"] == anggota_id, "id"].iloc[0])


def csrf_from(client: Any, url: str) -> str:
    """The CSRF token of the form on page ``url``."""
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    found = CSRF.search(resp.data)
    assert found, f"no csrf_token field on {url}"
    return found.group(1).decode()


def login(client: Any, name: str, password: str | None = None) -> Any:
    token = csrf_from(client, "/masuk")
    resp = client.post(
        "/masuk", data={"nama": name, "sandi": password or SANDI[name], "csrf_token": token}
    )
    assert resp.status_code == 302, resp.data[:300]
    return resp


def state(path: Path | str) -> tuple[int, int, int, int]:
    """What any write changes: stock lines, sites, audit entries, data version."""
    store = open_store(path)
    return store.count("stok"), store.count("lokasi"), len(store.read_audit()), store.version()
