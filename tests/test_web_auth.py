"""Identity on the web: sign-in sessions, bearer tokens, CSRF, rate limits, headers.

Every "refused" test also checks that nothing was written (stock lines, sites, audit
entries and the data version are unchanged).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from web_akun import bearer, csrf_from, login, make_app, site_of, state

from geo_klaster.members import accounts
from geo_klaster.store import open_store

REPORT = {"baris": [{"barang": "beras", "jumlah": 1234, "siap": 321}]}


# -- API: 401 before anything else ---------------------------------------------------------


def test_anonymous_api_write_is_401_before_the_body_is_read(
    client_akun: Any, store_akun: Any
) -> None:
    path, _ = store_akun
    site = site_of(path, "AGT-001")
    before = state(path)
    cases = [
        client_akun.post("/api/laporan", json={"lokasi_id": site, **REPORT}),
        client_akun.post("/api/laporan", data="{not json", content_type="application/json"),
        client_akun.post("/api/laporan", json={"lokasi_id": "TIDAK-ADA", "baris": "x"}),
        # larger than MAX_CONTENT_LENGTH: still 401, the body is never read
        client_akun.post("/api/laporan", data=b"x" * 3_000_000, content_type="application/json"),
        client_akun.post(
            "/api/lokasi", json={"id": "LOK-X", "nama": "x", "lon": 107.1, "lat": -6.3}
        ),
    ]
    for resp in cases:
        assert resp.status_code == 401, resp.data[:200]
        assert resp.mimetype == "application/json"
        assert resp.json["error"]
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert state(path) == before


@pytest.mark.parametrize(
    "header",
    ["Bearer gk_salah", "Bearer ", "Basic YTE6cmFoYXNpYQ==", "gk_tanpa_skema", "Bearer x y"],
)
def test_bad_tokens_are_401(client_akun: Any, store_akun: Any, header: str) -> None:
    path, _ = store_akun
    before = state(path)
    resp = client_akun.post(
        "/api/laporan",
        json={"lokasi_id": site_of(path, "AGT-001"), **REPORT},
        headers={"Authorization": header},
    )
    assert resp.status_code == 401 and resp.mimetype == "application/json"
    assert state(path) == before


def test_revoked_token_is_401(client_akun: Any, store_akun: Any) -> None:
    path, tokens = store_akun
    site = site_of(path, "AGT-001")
    ok = client_akun.post(
        "/api/laporan", json={"lokasi_id": site, **REPORT}, headers=bearer(tokens["a1"])
    )
    assert ok.status_code == 201 and ok.json["disimpan"] == 1
    accounts.revoke_token(open_store(path), tokens["a1"])
    before = state(path)
    again = client_akun.post(
        "/api/laporan", json={"lokasi_id": site, **REPORT}, headers=bearer(tokens["a1"])
    )
    assert again.status_code == 401 and "dicabut" in again.json["error"]
    assert state(path) == before


def test_token_requests_need_no_csrf_and_ignore_the_cookie(
    client_akun: Any, store_akun: Any
) -> None:
    path, tokens = store_akun
    login(client_akun, "a2")  # a session of another account in the same cookie jar
    site = site_of(path, "AGT-001")
    resp = client_akun.post(
        "/api/laporan", json={"lokasi_id": site, **REPORT}, headers=bearer(tokens["a1"])
    )
    assert resp.status_code == 201  # the token (a1) acts, not the session (a2), no CSRF needed
    log = open_store(path).read_audit(limit=1).iloc[0]
    assert (log["akun"], log["saluran"]) == ("a1", "api")


# -- sign-in ---------------------------------------------------------------------------------


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(client_akun: Any) -> None:
    resp = login(client_akun, "a1")
    assert resp.headers["Location"].endswith("/laporan")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client_akun.get("/laporan").status_code == 200
    token = csrf_from(client_akun, "/laporan")
    assert client_akun.post("/keluar", data={"csrf_token": token}).status_code == 302
    resp = client_akun.get("/laporan")
    assert resp.status_code == 302 and "/masuk?next=/laporan" in resp.headers["Location"]


def test_wrong_password_and_unknown_account_look_the_same(client_akun: Any) -> None:
    answers = []
    for name, sandi in (("a1", "salah-sekali"), ("tidak-ada", "salah-sekali")):
        token = csrf_from(client_akun, "/masuk")
        resp = client_akun.post("/masuk", data={"nama": name, "sandi": sandi, "csrf_token": token})
        assert resp.status_code == 401
        answers.append(resp.data.decode().replace(name, "NAMA"))
        assert client_akun.get("/laporan").status_code == 302  # still anonymous
    assert answers[0] == answers[1]


def test_login_without_or_with_wrong_csrf_is_refused(client_akun: Any) -> None:
    client_akun.get("/masuk")
    missing = client_akun.post("/masuk", data={"nama": "a1", "sandi": "rahasia-a1"})
    assert missing.status_code == 400 and b"CSRF" in missing.data
    wrong = client_akun.post(
        "/masuk", data={"nama": "a1", "sandi": "rahasia-a1", "csrf_token": "x" * 43}
    )
    assert wrong.status_code == 403
    assert client_akun.get("/laporan").status_code == 302  # not signed in


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil", "x"])
def test_login_never_redirects_off_site(client_akun: Any, target: str) -> None:
    token = csrf_from(client_akun, "/masuk")
    resp = client_akun.post(
        "/masuk",
        data={"nama": "a1", "sandi": "rahasia-a1", "csrf_token": token, "next": target},
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/laporan"


def test_login_follows_a_local_next(client_akun: Any) -> None:
    resp = client_akun.get("/koordinator/usang")
    assert resp.status_code == 302 and "next=/koordinator/usang" in resp.headers["Location"]
    token = csrf_from(client_akun, "/masuk?next=/koordinator/usang")
    resp = client_akun.post(
        "/masuk?next=/koordinator/usang",
        data={"nama": "bpbd", "sandi": "rahasia-bpbd", "csrf_token": token},
    )
    assert resp.headers["Location"] == "/koordinator/usang"


def test_password_reset_ends_existing_sessions(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    assert client_akun.get("/laporan").status_code == 200
    accounts.create_account(
        open_store(path), "a1", peran="anggota", password="sandi-baru-a1", anggota_id="AGT-001"
    )
    assert client_akun.get("/laporan").status_code == 302


def test_a_disabled_account_is_out_at_the_next_request(client_akun: Any, store_akun: Any) -> None:
    """Accounts and tokens are read once per data version: the write that disables an
    account raises it, so the session and the token are refused at once."""
    path, tokens = store_akun
    login(client_akun, "a1")
    token = make_app(path).test_client()
    for _ in range(2):
        assert client_akun.get("/laporan").status_code == 200
        assert token.get("/api/stok.json", headers=bearer(tokens["a1"])).status_code == 200
    store = open_store(path)
    account = store.account("a1")
    with store.transaction() as tx:
        tx.save_account(dataclasses.replace(account, aktif=False))
    assert client_akun.get("/laporan").status_code == 302  # to /masuk
    refused = token.get("/api/stok.json", headers=bearer(tokens["a1"]))
    assert refused.status_code == 401 and "tidak aktif" in refused.json["error"]


# -- CSRF on forms ---------------------------------------------------------------------------


def _form(site: str, **extra: str) -> dict[str, Any]:
    return {"barang": ["beras"], "jumlah": ["4321"], "siap": ["100"], "satuan": [""],
            "kondisi": ["baik"], "kedaluwarsa": [""], **extra}  # fmt: skip


def test_report_form_needs_the_csrf_token(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    before = state(path)
    missing = client_akun.post(f"/laporan/{site}", data=_form(site))
    assert missing.status_code == 400
    wrong = client_akun.post(f"/laporan/{site}", data=_form(site, csrf_token="salah"))
    assert wrong.status_code == 403
    assert state(path) == before  # nothing written
    token = csrf_from(client_akun, f"/laporan/{site}")
    ok = client_akun.post(f"/laporan/{site}", data=_form(site, csrf_token=token))
    assert ok.status_code == 303
    assert state(path)[0] == before[0] + 1
    log = open_store(path).read_audit(limit=1).iloc[0]
    assert (log["akun"], log["saluran"], log["aksi"]) == ("a1", "web", "laporan_stok")


def test_csrf_token_of_another_session_is_refused(app_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    site = site_of(path, "AGT-001")
    mallory = app_akun.test_client()
    login(mallory, "a2")
    stolen = csrf_from(mallory, "/laporan")  # a valid token, but of another session
    victim = app_akun.test_client()
    login(victim, "a1")
    before = state(path)
    assert victim.post(f"/laporan/{site}", data=_form(site, csrf_token=stolen)).status_code == 403
    assert state(path) == before


def test_session_api_write_needs_the_csrf_header(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    login(client_akun, "a1")
    site = site_of(path, "AGT-001")
    before = state(path)
    assert client_akun.post("/api/laporan", json={"lokasi_id": site, **REPORT}).status_code == 400
    assert state(path) == before
    token = csrf_from(client_akun, "/laporan")
    resp = client_akun.post(
        "/api/laporan", json={"lokasi_id": site, **REPORT}, headers={"X-CSRF-Token": token}
    )
    assert resp.status_code == 201
    assert open_store(path).read_audit(limit=1).iloc[0]["saluran"] == "web"


def test_anonymous_form_posts_are_401(client_akun: Any, store_akun: Any) -> None:
    path, _ = store_akun
    site = site_of(path, "AGT-001")
    before = state(path)
    assert client_akun.post(f"/laporan/{site}", data=_form(site)).status_code == 401
    assert client_akun.post(f"/laporan/{site}/unggah", data={}).status_code == 401
    assert client_akun.post("/lokasi", data={"id": "LOK-X"}).status_code == 401
    assert state(path) == before


# -- roles -----------------------------------------------------------------------------------


def test_coordinator_pages_and_audit_api(client_akun: Any, store_akun: Any) -> None:
    _, tokens = store_akun
    assert client_akun.get("/api/audit").status_code == 401
    assert client_akun.get("/api/audit", headers=bearer(tokens["a1"])).status_code == 403
    resp = client_akun.get("/api/audit", headers=bearer(tokens["bpbd"]))
    assert resp.status_code == 200 and resp.json["jumlah"] > 0
    login(client_akun, "a1")
    assert client_akun.get("/koordinator/usang").status_code == 403
    assert client_akun.get("/koordinator/audit").status_code == 403


# -- limits ----------------------------------------------------------------------------------


def test_login_attempts_are_throttled(store_akun: Any) -> None:
    client_akun = make_app(
        store_akun[0], BATAS_MASUK_LONJAKAN=3, BATAS_MASUK_PER_MENIT=1
    ).test_client()
    codes = []
    for _ in range(3):
        token = csrf_from(client_akun, "/masuk")
        codes.append(client_akun.post(
            "/masuk", data={"nama": "a1", "sandi": "salah-salah", "csrf_token": token}
        ).status_code)  # fmt: skip
    token = csrf_from(client_akun, "/masuk")
    resp = client_akun.post(
        "/masuk", data={"nama": "a1", "sandi": "rahasia-a1", "csrf_token": token}
    )
    assert codes == [401, 401, 401]
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    assert client_akun.get("/laporan").status_code == 302  # even the right password waits


def test_writes_are_rate_limited_per_account(store_akun: Any) -> None:
    path, tokens = store_akun
    client_akun = make_app(path, BATAS_TULIS_LONJAKAN=2, BATAS_TULIS_PER_MENIT=1).test_client()
    body = {"lokasi_id": site_of(path, "AGT-001"), **REPORT}
    before = state(path)[0]
    codes = [
        client_akun.post("/api/laporan", json=body, headers=bearer(tokens["a1"])).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert state(path)[0] == before + 2  # the refused third report wrote nothing
    other = {"lokasi_id": site_of(path, "AGT-002"), **REPORT}
    assert (
        client_akun.post("/api/laporan", json=other, headers=bearer(tokens["a2"])).status_code
        == 201
    )
    resp = client_akun.post("/api/laporan", json=body, headers=bearer(tokens["a1"]))
    assert resp.status_code == 429 and resp.mimetype == "application/json"
    assert "Retry-After" in resp.headers


def test_token_bucket_refills_and_stays_bounded() -> None:
    from geo_klaster.web.auth import Pembatas

    now = [0.0]
    bucket = Pembatas(60, 2, maks_kunci=3, jam=lambda: now[0])
    assert bucket.ambil("a") is None and bucket.ambil("a") is None
    wait = bucket.ambil("a")
    assert wait == pytest.approx(1.0)  # 60 per minute: one token per second
    now[0] += 1.0
    assert bucket.ambil("a") is None
    for key in "bcdefg":
        bucket.ambil(key)
    assert len(bucket._ember) <= 3


# -- secret key, headers ---------------------------------------------------------------------


def test_secret_key_from_config_env_or_random_with_warning(
    store_akun: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from geo_klaster.web import create_app

    path = store_akun[0]
    assert create_app({"STORE": path, "SECRET_KEY": "dari-konfigurasi"}).secret_key == (
        "dari-konfigurasi"
    )
    monkeypatch.setenv("GEO_KLASTER_SECRET", "dari-lingkungan")
    assert create_app({"STORE": path}).secret_key == "dari-lingkungan"
    monkeypatch.delenv("GEO_KLASTER_SECRET")
    with caplog.at_level(logging.WARNING, logger="geo_klaster.web"):
        a, b = create_app({"STORE": path}), create_app({"STORE": path})
    assert a.secret_key and a.secret_key != b.secret_key
    assert "SECRET_KEY" in caplog.text


def test_security_headers_and_private_pages(client_akun: Any) -> None:
    anon = client_akun.get("/anggota")
    assert anon.headers["X-Content-Type-Options"] == "nosniff"
    assert anon.headers["X-Frame-Options"] == "DENY"
    assert "no-store" not in anon.headers.get("Cache-Control", "")
    login(client_akun, "a1")
    signed = client_akun.get("/anggota")
    assert signed.headers["Cache-Control"] == "private, no-store"
    assert "Cookie" in signed.headers["Vary"]
