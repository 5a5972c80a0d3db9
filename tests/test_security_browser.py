"""Hostile names in a real browser: no script runs, the names show as typed.

Leaflet puts a string tooltip, popup or layer-control name into the page as HTML. A site
named by a member, a kecamatan or an item name holding markup must stay text on ``/lokasi``
(the site picker, with the coordinator's view of every member's sites) and on the maps.
Every tooltip and popup of every map is opened; an ``alert`` would be caught as a dialog.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from servers import CHROMIUM, CHROMIUM_ARGS, need_browser, running
from web_akun import SANDI, TODAY, build_demo, fresh_store

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>&"

# Keep every Leaflet map the page makes (the site picker's map lives in a closure).
HOOK = """(() => { let _L; Object.defineProperty(window, "L", { configurable: true,
  get() { return _L; },
  set(v) { _L = v; if (v && v.Map && v.Map.addInitHook) { v.Map.addInitHook(function () {
    (window.__peta = window.__peta || []).push(this); }); } } }); })();"""
OPEN_ALL = """() => { let n = 0; (window.__peta || []).forEach(m => m.eachLayer(l => { try {
  const at = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : null);
  if (l.getTooltip && l.getTooltip()) { l.openTooltip(at); n++; }
  if (l.getPopup && l.getPopup()) { l.openPopup(at); n++; } } catch (e) {} }));
  return n; }"""


@pytest.fixture
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_browser()
    demo = build_demo(tmp_path_factory.mktemp("security_browser") / "demo.gpkg")
    path, _ = fresh_store(demo, tmp_path_factory.mktemp("security_browser_salinan"))
    with sqlite3.connect(path) as con:  # as an import would store them
        con.execute("UPDATE lokasi SET nama = ? WHERE anggota_id = 'AGT-002'", ("L" + HOSTILE,))
        con.execute("UPDATE kecamatan SET nama = ?", ("K" + HOSTILE,))
        con.execute("UPDATE barang SET nama = ? WHERE kode = 'beras'", ("B" + HOSTILE,))
    with running({"STORE": path, "SECRET_KEY": "uji-peramban", "TODAY": TODAY}) as url:
        yield url


def test_hostile_names_stay_text_in_tooltips_popups_and_layer_control(served: str) -> None:
    from playwright.sync_api import sync_playwright

    base = served
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(locale="id-ID")
            ctx.add_init_script(HOOK)
            page = ctx.new_page()

            def route(r: Any) -> None:
                if r.request.url.startswith(base):
                    r.continue_()
                else:
                    r.abort()

            page.route("**/*", route)
            page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
            page.goto(base + "/masuk")
            page.fill("input[name=nama]", "bpbd")
            page.fill("input[name=sandi]", SANDI["bpbd"])
            page.click("button[type=submit]")
            page.wait_for_url("**/laporan")
            for path in ("/lokasi", "/gap?barang=beras", "/"):
                page.goto(base + path)
                page.wait_for_function("(window.__peta || []).length > 0")
                if path == "/lokasi":  # the kecamatan layer is fetched after the page loads
                    page.wait_for_function(
                        "document.querySelectorAll('path.leaflet-interactive').length > 0"
                    )
                opened = page.evaluate(OPEN_ALL)
                assert opened > 0, path
                page.wait_for_timeout(300)
                assert page.locator("img[src='x']").count() == 0, path
                texts = page.locator(".leaflet-tooltip, .leaflet-control-layers").all_inner_texts()
                shown = " ".join(texts)
                assert "<img src=x onerror=alert(1)>" in shown, (path, shown[:300])
            assert not dialogs
        finally:
            browser.close()
