"""Phone first: every page at 390×844 (a phone: is_mobile, has_touch) and 1366×900, signed
out, as member ``a1`` and as coordinator ``bpbd``, in headless Debian chromium with every
request to another host aborted (offline).

- no page is wider than the viewport (``scrollWidth <= innerWidth``): wide tables scroll
  inside their own box;
- on the report form every input and select is at least 44 px wide and high (touch target);
- on a phone the map's layer control and legend start folded;
- a member submits a report by tapping through the form on the phone;
- ``/lokasi`` names the kecamatan and desa on the map, draws the imported ``jalan`` layer, and
  its "my position" button takes the browser's position (no network).

The pages are enumerated from the app's URL map (``tests/halaman.py``), so a new page is
covered. Screenshots go to ``tests/_artifacts/ponsel/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pytest
from halaman import contoh, pages
from servers import ARTIFACTS, need_browser, running
from shapely.geometry import LineString, Point, box
from web_akun import SANDI, build_demo, fresh_store, make_app, site_of, state

from geo_klaster.inputs.importer import import_file
from geo_klaster.store import open_store

pytestmark = pytest.mark.browser

PONSEL = {"width": 390, "height": 844}
LAYAR = {"width": 1366, "height": 900}
SENTUH = 44  # px: the smallest touch target (WCAG 2.5.5, Android/iOS guidelines)
SHOTS = ARTIFACTS / "ponsel"
BANDING = "/banding?skenario=latihan_banjir_utara&skenario=latihan_kali_bekasi"
EXTRA = [BANDING, "/kecamatan/32.16.02?jangkauan=jalan&menit=60"]  # pages with their arguments

LEBAR_JS = """(w) => {
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > w + 1) {
      // report the outermost offender only
      let p = e.parentElement, inner = false;
      while (p && p !== document.body) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { inner = true; break; }
        p = p.parentElement;
      }
      if (!inner) wide.push(e.tagName.toLowerCase() + '.' + String(e.className).slice(0, 40) + ' ' + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,
          inner: window.innerWidth, wide: wide.slice(0, 6)};
}"""

KONTROL_JS = """() => {
  const out = [];
  for (const peta of document.querySelectorAll('.leaflet-container')) {
    const m = peta.getBoundingClientRect();
    let area = 0;
    for (const c of peta.querySelectorAll('.leaflet-control-layers, .legenda')) {
      const r = c.getBoundingClientRect();
      area += r.width * r.height;
    }
    out.push({
      expanded: peta.querySelectorAll('.leaflet-control-layers-expanded').length,
      legendOpen: peta.querySelectorAll('.legenda details[open]').length,
      legends: peta.querySelectorAll('.legenda').length,
      share: area / (m.width * m.height),
    });
  }
  return out;
}"""


def _roads_and_desa(path: Path, out: Path) -> None:
    """A small road grid and two desa per kecamatan (west and east halves), imported."""
    xs = np.round(np.arange(106.97, 107.31, 0.02), 2)
    ys = np.round(np.arange(-6.50, -5.97, 0.02), 2)
    lines = [LineString([(x, y) for y in ys]) for x in xs]
    lines += [LineString([(x, y) for x in xs]) for y in ys]
    roads = gpd.GeoDataFrame(
        {"kelas": ["residential"] * len(lines), "nama": [f"Jalan {i}" for i in range(len(lines))]},
        geometry=lines,
        crs=4326,
    )
    roads.to_file(out / "jalan.geojson")
    import_file(open_store(path), "jalan", out / "jalan.geojson")
    kec = open_store(path).read("kecamatan")
    rows = []
    for r in kec.itertuples():
        x0, y0, x1, y1 = r.geometry.bounds
        mid = (x0 + x1) / 2
        for i, (a, b, sisi) in enumerate(((x0, mid, "Barat"), (mid, x1, "Timur"))):
            part = r.geometry.intersection(box(a, y0, b, y1))
            if not part.is_empty:
                rows.append(
                    {
                        "kode_desa": f"{r.kode}.{2001 + i}",
                        "kode": r.kode,
                        "nama_desa": f"{r.nama} {sisi}",
                        "geometry": part,
                    }
                )
    gpd.GeoDataFrame(rows, crs=4326).to_file(out / "desa.geojson")
    import_file(open_store(path), "desa", out / "desa.geojson")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, list[str]]]:
    need_browser()
    demo = build_demo(tmp_path_factory.mktemp("ponsel") / "demo.gpkg")
    out = tmp_path_factory.mktemp("ponsel_salinan")
    path, _ = fresh_store(demo, out)
    _roads_and_desa(path, out)
    urls = pages(make_app(path), contoh(site_of(path, "AGT-001"))) + EXTRA
    with running({"STORE": path, "SECRET_KEY": "uji-ponsel", "TODAY": "2026-11-27"}) as url:
        yield url, path, urls


class Sesi:
    """A browser context at one size, signed in as ``peran`` (or not), offline."""

    def __init__(self, browser: Any, base: str, size: dict[str, int], peran: str | None,
                 **extra: Any) -> None:  # fmt: skip
        self.base = base
        self.foreign: list[str] = []
        self.errors: list[str] = []
        phone = size["width"] < 768
        self.context = browser.new_context(
            viewport=size, is_mobile=phone, has_touch=phone, locale="id-ID", **extra
        )
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))
        if peran:
            self.page.goto(base + "/masuk")
            self.page.fill("input[name=nama]", peran)
            self.page.fill("input[name=sandi]", SANDI[peran])
            self.page.click("main button[type=submit]")
            self.page.wait_for_load_state()
            assert "/masuk" not in self.page.url, self.page.url

    def _route(self, route: Any) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def _nama(url: str) -> str:
    name = url.split("?")[0].strip("/").replace("/", "_").replace(".", "-") or "ikhtisar"
    return name + ("_q" if "?" in url else "")


@pytest.mark.parametrize(
    ("peran", "ukuran", "lang"),
    [
        *[
            (peran, ukuran, "id")
            for peran in (None, "a1", "bpbd")
            for ukuran in ("ponsel", "layar")
        ],
        ("bpbd", "ponsel", "en"),  # English words are longer: the phone again, in English
    ],
)
def test_no_page_wider_than_the_screen(
    browser: Any, served: Any, peran: str | None, ukuran: str, lang: str
) -> None:
    base, _path, urls = served
    size = PONSEL if ukuran == "ponsel" else LAYAR
    assert len(urls) >= 15, urls
    sesi = Sesi(browser, base, size, peran)
    if lang != "id":  # the switch is remembered (cookie) for the pages that follow
        sesi.page.goto(f"{base}/?lang={lang}", wait_until="load")
        assert sesi.page.get_attribute("html", "lang") == lang
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide, checked = [], 0
    try:
        for url in urls:
            resp = sesi.page.goto(base + url, wait_until="load")
            assert resp is not None and resp.status < 500, (url, resp and resp.status)
            if sesi.page.query_selector(".leaflet-container"):
                sesi.page.wait_for_timeout(150)  # the map's controls are added after load
            m = sesi.page.evaluate(LEBAR_JS, size["width"])
            if max(m["scroll"], m["body"]) > min(m["inner"], size["width"]):
                too_wide.append((url, m))
            checked += 1
            shot = f"{ukuran}_{lang}_{peran or 'tamu'}_{_nama(url)}.png"
            sesi.page.screenshot(path=str(SHOTS / shot))
    finally:
        sesi.close()
    assert checked == len(urls)
    assert not too_wide, "\n".join(f"{u}: {m}" for u, m in too_wide)
    assert sesi.foreign == [], sesi.foreign
    assert sesi.errors == [], sesi.errors


def test_map_controls_folded_on_a_phone(browser: Any, served: Any) -> None:
    base, _path, _urls = served
    maps = ["/", "/gap", "/alokasi", "/anggota", "/kecamatan/32.16.02", BANDING]
    for size, folded in ((PONSEL, True), (LAYAR, False)):
        sesi = Sesi(browser, base, size, None)
        try:
            for url in maps:
                sesi.page.goto(base + url, wait_until="load")
                sesi.page.wait_for_selector(".leaflet-control-layers")
                found = sesi.page.evaluate(KONTROL_JS)
                assert found, url
                for k in found:
                    if folded:
                        assert k["expanded"] == 0 and k["legendOpen"] == 0, (url, k)
                        assert k["share"] < 0.1, (url, k)
                    elif url != "/alokasi":  # 13 item layers: folded on every screen
                        assert k["expanded"] == 1 and k["legendOpen"] == k["legends"], (url, k)
            if folded:  # a tap unfolds the analysis parameters, and the layer control
                sesi.page.goto(base + "/", wait_until="load")
                assert not sesi.page.is_visible("form.parameter input[name=hari]")
                sesi.page.tap("form.parameter .buka-parameter")
                assert sesi.page.is_visible("form.parameter input[name=hari]")
                sesi.page.tap(".leaflet-control-layers-toggle")
                sesi.page.wait_for_selector(".leaflet-control-layers-expanded")
                sesi.page.screenshot(path=str(SHOTS / "ponsel_lapisan_dibuka.png"))
        finally:
            sesi.close()
        assert sesi.foreign == [] and sesi.errors == []


def test_report_form_touch_targets_and_tapping_a_report(browser: Any, served: Any) -> None:
    base, path, _urls = served
    site = site_of(path, "AGT-001")
    sesi = Sesi(browser, base, PONSEL, "a1")
    page = sesi.page
    try:
        page.goto(f"{base}/laporan/{site}", wait_until="load")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.form-stok input, .form-stok select')]
                 .map((e) => [e.name, e.getBoundingClientRect().width, e.getBoundingClientRect().height])"""
        )
        assert len(sizes) >= 30, sizes
        small = [s for s in sizes if s[1] < SENTUH or s[2] < SENTUH]
        assert not small, small
        send = page.locator(f"form[action$='/laporan/{site}'] button[type=submit]")
        assert send.bounding_box()["height"] >= SENTUH
        before = state(path)
        n = page.locator("select[name=barang]").count() - 5  # the first empty card
        baru = page.evaluate(
            """() => {
              const sel = [...document.querySelectorAll("select[name=barang]")];
              const dipakai = new Set(sel.map((s) => s.value).filter((v) => v));
              return [...sel[0].options].map((o) => o.value).find((v) => v && !dipakai.has(v));
            }"""
        )
        card = page.locator("fieldset.kartu-barang").nth(n)
        card.scroll_into_view_if_needed()
        card.locator("select[name=barang]").tap()
        card.locator("select[name=barang]").select_option(baru)
        card.locator("input[name=jumlah]").tap()
        page.keyboard.type("12")
        card.locator("input[name=siap]").tap()
        page.keyboard.type("10")
        page.screenshot(path=str(SHOTS / "ponsel_laporan_isi.png"))
        send.scroll_into_view_if_needed()
        send.tap()
        page.wait_for_load_state()
        assert "Laporan tersimpan" in page.locator(".pesan-ok").inner_text()
        page.screenshot(path=str(SHOTS / "ponsel_laporan_tersimpan.png"))
        after = state(path)
        assert after[0] > before[0] and after[3] > before[3]
        stok = open_store(path).read("stok")
        row = stok[(stok["lokasi_id"] == site) & (stok["barang"] == baru)].iloc[-1]
        assert (float(row["jumlah"]), float(row["siap"])) == (12.0, 10.0)
    finally:
        sesi.close()
    assert sesi.foreign == [] and sesi.errors == []


def test_lokasi_names_roads_and_my_position(browser: Any, served: Any) -> None:
    base, path, _urls = served
    here = {"latitude": -6.2301, "longitude": 107.0503}  # on a road of the grid (lon 107.05)
    pt = Point(here["longitude"], here["latitude"])
    kec = open_store(path).read("kecamatan")
    nama_kec = str(kec.loc[kec.contains(pt), "nama"].iloc[0])
    desa = open_store(path).read("desa")
    nama_desa = str(desa.loc[desa.contains(pt), "nama_desa"].iloc[0])
    sesi = Sesi(browser, base, PONSEL, "a1", geolocation=here, permissions=["geolocation"])
    page = sesi.page
    try:
        page.goto(base + "/lokasi", wait_until="load")
        page.wait_for_selector(".label-kecamatan")  # visible: the whole regency at zoom >= 10
        names = page.locator(".label-kecamatan").all_inner_texts()
        assert len(names) == len(kec) and "Babelan" in names, names
        page.screenshot(path=str(SHOTS / "ponsel_lokasi_awal.png"))
        assert page.locator("#posisi-saya").bounding_box()["height"] >= SENTUH
        page.locator("#posisi-saya").tap()
        page.wait_for_function("document.getElementById('isian-lat').value !== ''", timeout=10_000)
        lon, lat = float(page.input_value("#isian-lon")), float(page.input_value("#isian-lat"))
        assert (round(lon, 4), round(lat, 4)) == (107.0503, -6.2301)
        # zoomed in on the position: the place named, desa drawn, the store's roads drawn
        page.wait_for_function(
            "document.getElementById('titik-wilayah').textContent.includes('desa')",
            timeout=10_000,
        )
        info = page.inner_text("#titik-wilayah")
        assert nama_desa in info and nama_kec in info, info
        page.wait_for_function("(window.klasterJalan || 0) > 0", timeout=10_000)
        assert page.evaluate("window.klasterDesa") >= 1
        page.locator("#peta-lokasi").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "ponsel_lokasi_posisi.png"))
        m = page.evaluate(LEBAR_JS, PONSEL["width"])
        assert m["scroll"] <= PONSEL["width"], m
    finally:
        sesi.close()
    assert sesi.foreign == [] and sesi.errors == []
