"""Hardening of web sign-in: throttling that cannot lock a victim out, logout that ends
copied session cookies, the session cookie's name and Secure flag, and the print sheet's
map controls on screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_akun import SANDI, csrf_from, login, make_app

A = {"REMOTE_ADDR": "10.0.0.1"}
B = {"REMOTE_ADDR": "10.0.0.2"}


def masuk(client: Any, nama: str, sandi: str, alamat: dict[str, str]) -> Any:
    token = csrf_from(client, "/masuk")
    return client.post(
        "/masuk",
        data={"nama": nama, "sandi": sandi, "csrf_token": token},
        environ_base=alamat,
    )


# -- 1. sign-in throttling -------------------------------------------------------------------


def test_failures_from_one_address_do_not_lock_the_account_out_elsewhere(store_akun: Any) -> None:
    app = make_app(store_akun[0], BATAS_MASUK_LONJAKAN=3, BATAS_MASUK_PER_MENIT=1)
    penyerang = app.test_client()
    codes = [masuk(penyerang, "bpbd", "tebakan-salah", A).status_code for _ in range(6)]
    assert codes[:3] == [401, 401, 401]
    assert set(codes[3:]) == {429}
    resp = masuk(penyerang, "bpbd", SANDI["bpbd"], A)  # the attacker's address waits
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1

    korban = app.test_client()
    resp = masuk(korban, "bpbd", SANDI["bpbd"], B)
    assert resp.status_code == 302, resp.data[:300]
    assert korban.get("/koordinator/usang", environ_base=B).status_code == 200


def test_successful_sign_ins_are_not_counted(store_akun: Any) -> None:
    app = make_app(
        store_akun[0],
        BATAS_MASUK_LONJAKAN=2,
        BATAS_MASUK_PER_MENIT=1,
        BATAS_MASUK_ALAMAT_LONJAKAN=2,
        BATAS_MASUK_ALAMAT_PER_MENIT=1,
    )
    client = app.test_client()
    codes = [masuk(client, "a1", SANDI["a1"], A).status_code for _ in range(5)]
    assert codes == [302] * 5


def test_one_address_trying_many_names_is_throttled(store_akun: Any) -> None:
    app = make_app(
        store_akun[0],
        BATAS_MASUK_LONJAKAN=3,
        BATAS_MASUK_PER_MENIT=1,
        BATAS_MASUK_ALAMAT_LONJAKAN=4,
        BATAS_MASUK_ALAMAT_PER_MENIT=1,
    )
    client = app.test_client()
    codes = [masuk(client, f"nama{i}", "salah-salah", A).status_code for i in range(6)]
    assert codes == [401, 401, 401, 401, 429, 429]
    # another address is not affected
    assert masuk(app.test_client(), "a1", SANDI["a1"], B).status_code == 302


def test_login_bucket_refunds_and_peeks() -> None:
    from geo_klaster.web.auth import Pembatas

    now = [0.0]
    bucket = Pembatas(60, 2, jam=lambda: now[0])
    assert bucket.ambil("k") is None and bucket.ambil("k") is None
    assert bucket.ambil("k") is not None
    bucket.kembalikan("k")
    assert bucket.ambil("k") is None
    bucket.kembalikan("baru")  # never above the burst
    assert bucket.ambil("baru") is None and bucket.ambil("baru") is None
    assert bucket.ambil("baru") is not None


# -- 2. logout ends copied sessions ---------------------------------------------------------


def test_logout_voids_a_copied_session_cookie(store_akun: Any) -> None:
    path, _ = store_akun
    app = make_app(path)
    nama_cookie = app.config["SESSION_COOKIE_NAME"]
    client = app.test_client()
    login(client, "a1")
    salinan = client.get_cookie(nama_cookie).value

    # the copy is used through another server process (another app on the same store)
    lain = make_app(path).test_client()
    lain.set_cookie(nama_cookie, salinan)
    assert lain.get("/laporan").status_code == 200

    a2 = app.test_client()
    login(a2, "a2")

    token = csrf_from(client, "/laporan")
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302

    resp = lain.get("/laporan")
    assert resp.status_code == 302 and "/masuk" in resp.headers["Location"]
    kembali = app.test_client()
    kembali.set_cookie(nama_cookie, salinan)
    assert kembali.get("/laporan").status_code == 302
    # other accounts keep their sessions; signing in again works at once
    assert a2.get("/laporan").status_code == 200
    login(client, "a1")
    assert client.get("/laporan").status_code == 200


def test_logout_without_a_session_writes_nothing(store_akun: Any) -> None:
    from geo_klaster.store import open_store

    path, _ = store_akun
    client = make_app(path).test_client()
    versi = open_store(path).version()
    token = csrf_from(client, "/masuk")
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert open_store(path).version() == versi


# -- 3. cookie name and Secure flag ----------------------------------------------------------


def test_session_cookie_is_named_for_the_app(store_akun: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("GEO_KLASTER_COOKIE_SECURE", raising=False)
    app = make_app(store_akun[0])
    assert app.config["SESSION_COOKIE_NAME"] == "geo_klaster_sesi"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    cookie = login(app.test_client(), "a1").headers["Set-Cookie"]
    assert cookie.startswith("geo_klaster_sesi=")
    assert "Secure" not in cookie
    assert (
        make_app(store_akun[0], SESSION_COOKIE_NAME="lain").config["SESSION_COOKIE_NAME"] == "lain"
    )


@pytest.mark.parametrize(
    ("nilai", "aman"),
    [("1", True), ("true", True), ("ya", True), ("0", False), ("", False), ("no", False)],
)
def test_secure_cookie_switch_from_the_environment(
    store_akun: Any, monkeypatch: Any, nilai: str, aman: bool
) -> None:
    monkeypatch.setenv("GEO_KLASTER_COOKIE_SECURE", nilai)
    app = make_app(store_akun[0])
    assert app.config["SESSION_COOKIE_SECURE"] is aman
    cookie = login(app.test_client(), "a1").headers["Set-Cookie"]
    assert ("; Secure" in cookie) is aman


def test_secure_cookie_switch_from_the_config(store_akun: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("GEO_KLASTER_COOKIE_SECURE", raising=False)
    app = make_app(store_akun[0], SESSION_COOKIE_SECURE=True)
    assert "; Secure" in login(app.test_client(), "a1").headers["Set-Cookie"]


# -- 4. the print sheet's map on screen ------------------------------------------------------

RECTS_JS = """() => {
  const r = s => { const e = document.querySelector(s); if (!e) return null;
    const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  return {layers: r('.leaflet-control-layers'), legend: r('.legenda')};
}"""

LABELS_JS = """() => {
  const box = document.querySelector('.leaflet-control-layers');
  return [...box.querySelectorAll('label')].map(l => {
    const b = l.getBoundingClientRect();
    if (b.width === 0) return [l.textContent.trim(), 'tidak tampil'];
    const e = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    return [l.textContent.trim(), box.contains(e) ? 'ok' : (e ? e.className : 'null')];
  });
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def cetak_url(demo_akun: Path) -> Iterator[str]:
    from servers import need_browser, running

    need_browser()
    with running({"STORE": demo_akun, "TODAY": "2026-11-27"}) as url:
        yield url + "/kecamatan/32.16.02/cetak"


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1366, 900), (800, 900)])
def test_print_sheet_layer_switcher_is_not_behind_the_legend(
    cetak_url: str, size: tuple[int, int]
) -> None:
    from playwright.sync_api import sync_playwright
    from servers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="id-ID")
            page.route(
                "**/*",
                lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
            )
            page.goto(cetak_url, wait_until="load")
            page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=15_000)
            rects = page.evaluate(RECTS_JS)
            assert rects["layers"] and rects["legend"]
            assert not _overlap(rects["layers"], rects["legend"]), rects
            # opened (hover), every entry of the switcher is on top and can be clicked
            page.hover(".leaflet-control-layers")
            labels = page.evaluate(LABELS_JS)
            assert labels and all(v == "ok" for _, v in labels), labels

            page.emulate_media(media="print")  # printed: no switcher; the legend beside the map
            shown = page.evaluate(
                """() => [document.querySelector('.leaflet-control-layers'),
                          document.querySelector('.legenda')]
                         .map(e => getComputedStyle(e).display)"""
            )
            assert shown[0] == "none" and shown[1] != "none"
            # on paper the legend lies outside the map, so it covers nothing of the reach ring
            rects = page.evaluate(
                "() => ['.folium-map', '.legenda'].map(s => { const b = document.querySelector(s)"
                ".getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })"
            )
            assert not _overlap(*rects), rects
        finally:
            browser.close()
