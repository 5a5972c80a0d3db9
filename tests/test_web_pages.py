"""The HTML pages through Flask's test client, on the demo store.

Every page answers 200 with the map's div and script in the page itself (no iframe), and no
page or stylesheet refers to a script, stylesheet, font or image on another host: a test here
fails if folium's CDN defaults (Leaflet, jQuery, Bootstrap, Font Awesome) leak in.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
import pytest
from conftest import DAY
from folium.plugins import MarkerCluster

from geo_klaster.store import open_store

AT_RISK = "32.16.02"
PAGES = [
    "/",
    f"/kecamatan/{AT_RISK}",
    f"/kecamatan/{AT_RISK}/cetak",
    "/kecamatan/32.16.20",
    "/gap",
    "/gap?barang=beras",
    "/alokasi",
    "/alokasi?barang=beras",
    "/anggota",
    "/?skenario=latihan_kali_bekasi&jarak_km=5&hari=3",
]
CDN_HOSTS = ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn.com")
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)


class References(HTMLParser):
    """Every resource a page loads: script/img/iframe/source src, link href, CSS url()."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.stylesheets: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "img", "iframe", "source", "embed", "audio", "video") and "src" in a:
            self.refs.append((tag, a["src"]))
        if tag == "link" and "href" in a:
            rel = a.get("rel", "").lower()
            if any(r in rel for r in ("stylesheet", "icon", "preload", "font", "prefetch")):
                self.refs.append((f"link[{rel}]", a["href"]))
                if "stylesheet" in rel:
                    self.stylesheets.append(a["href"])
        if tag in ("img", "source") and "srcset" in a:
            self.refs.append((tag, a["srcset"]))
        if "style" in a:
            self.refs += [("style attr", u) for u in _css_urls(a["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs += [("style", u) for u in _css_urls(data)]


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def _fetch(client: Any, url: str) -> tuple[int, bytes]:
    """Status and body of ``url``, the response closed (files are streamed from disk)."""
    with client.get(url) as resp:
        return resp.status_code, resp.get_data()


def _external(refs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(kind, url) for kind, url in refs if EXTERNAL.match(url)]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_map_in_the_page(client: Any, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200, resp.data[:300]
    html = resp.data.decode("utf-8")
    assert '<html lang="id">' in html
    assert re.search(r'<div class="folium-map" id="map_[0-9a-f]+"', html)
    assert "L.map(" in html
    assert "<iframe" not in html and "srcdoc" not in html
    assert '<script src="/vendor/leaflet/leaflet.js"></script>' in html
    if path.endswith("/cetak"):  # on paper: plain site symbols, no cluster bubbles
        assert "L.markerClusterGroup(" not in html and "L.featureGroup()" in html
        assert "/vendor/markercluster/" not in html
    else:
        assert "L.markerClusterGroup(" in html
        assert "/vendor/markercluster/leaflet.markercluster.js" in html
    assert "L.control.layers(" in html and "legenda" in html


@pytest.mark.parametrize("path", PAGES)
def test_no_external_resource_in_page_or_stylesheet(client: Any, path: str) -> None:
    html = client.get(path).data.decode("utf-8")
    parser = References()
    parser.feed(html)
    assert parser.refs, "the parser should see the page's scripts and stylesheets"
    assert _external(parser.refs) == []
    for host in CDN_HOSTS:
        assert host not in html, f"{path} names the CDN {host}"
    assert "$(" not in html and "jQuery" not in html  # folium's jQuery-based popups
    assert "fa-" not in re.findall(r'class="[^"]*"', html).__str__()  # no Font Awesome icons
    for sheet in parser.stylesheets:
        status, data = _fetch(client, sheet)
        assert status == 200, sheet
        css = data.decode("utf-8")
        external = [u for u in _css_urls(css) if EXTERNAL.match(u)]
        assert external == [], f"{sheet} loads {external}"
        for u in _css_urls(css):  # relative assets of the stylesheet are served too
            if not u.startswith(("data:", "#")):  # "#default#VML": an old IE behaviour
                base = sheet.rsplit("/", 1)[0]
                assert _fetch(client, f"{base}/{u}")[0] == 200, (sheet, u)
        assert "@font-face" not in css or not EXTERNAL.search(css)


def test_external_reference_would_be_caught() -> None:
    """The checker finds folium's CDN defaults in a map rendered the default way."""
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    parser = References()
    parser.feed(m.get_root().render())
    found = _external(parser.refs)
    assert any("leaflet" in url for _, url in found)
    assert any("bootstrap" in url for _, url in found)


def test_class_level_asset_lists_are_not_mutated(client: Any) -> None:
    before = (list(folium.Map.default_js), list(MarkerCluster.default_css))
    client.get("/")
    client.get("/?jarak_km=7")
    assert (folium.Map.default_js, MarkerCluster.default_css) == before
    assert any("cdn" in url for _, url in folium.Map.default_js)


def test_online_tiles_optional_and_off_at_start(demo_store: Path) -> None:
    from geo_klaster.web import create_app

    with_tiles = create_app({"STORE": demo_store, "TODAY": DAY}).test_client()
    html = with_tiles.get("/").data.decode()
    assert "tile.openstreetmap.org" in html and "perlu internet" in html
    tile_var = re.search(r"var (tile_layer_[0-9a-f]+) = L\.tileLayer", html).group(1)
    assert f"{tile_var}.addTo(" not in html  # an overlay, unchecked when the page opens
    offline = create_app({"STORE": demo_store, "TODAY": DAY, "PETA_DASAR_DARING": False})
    assert "openstreetmap" not in offline.test_client().get("/").data.decode()


def test_demo_banner(client: Any) -> None:
    html = client.get("/").data.decode()
    assert "Data contoh / skenario latihan" in html
    assert "batas kecamatan" in html and "perkiraan" in html


def test_no_banner_for_real_data(tmp_path: Path, demo_store: Path) -> None:
    import shutil

    from geo_klaster.web import create_app

    path = tmp_path / "nyata.gpkg"
    shutil.copy(demo_store, path)
    with open_store(path).transaction() as tx:
        tx.set_meta("demo", "0")
    html = create_app({"STORE": path, "TODAY": DAY}).test_client().get("/").data.decode()
    assert "Data contoh / skenario latihan" not in html


def test_overview_lists_at_risk_kecamatan(client: Any) -> None:
    html = client.get("/").data.decode()
    assert "Kecamatan berisiko" in html
    assert f'href="/kecamatan/{AT_RISK}"' in html and "Babelan" in html


def test_parameters_are_kept_in_links(client: Any) -> None:
    html = client.get("/?jarak_km=5").data.decode()
    assert f"/kecamatan/{AT_RISK}?jarak_km=5" in html
    assert 'name="jarak_km" type="number"' in html and 'value="5"' in html


def test_large_site_layers_are_fetched_not_inlined(demo_store: Path) -> None:
    from geo_klaster.web import create_app

    client = create_app({"STORE": demo_store, "TODAY": DAY, "LOKASI_INLINE_MAKS": 10})
    html = client.test_client().get("/").data.decode()
    assert 'fetch("/api/analisis/lokasi.geojson?' in html
    assert "LOK-001" not in html  # no site inline


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/?jarak_km=jauh", 400, "jarak_km"),
        ("/anggota?hari=999", 400, "hari"),
        ("/alokasi?skenario=tidak_ada", 400, "skenario"),
        ("/gap?barang=emas", 400, "barang"),
        ("/kecamatan/32.16.99", 404, "kode"),
        ("/kecamatan/32.16.99/cetak", 404, "kode"),
        ("/kecamatan/32.16.99/lampiran", 404, "kode"),
    ],
)
def test_bad_page_parameters(client: Any, path: str, status: int, parameter: str) -> None:
    resp = client.get(path)
    assert resp.status_code == status
    assert resp.mimetype == "text/html"
    html = resp.data.decode()
    assert f"<code>{parameter}</code>" in html


def test_missing_store_is_503_with_instructions(tmp_path: Path) -> None:
    from geo_klaster.web import create_app

    client = create_app({"STORE": tmp_path / "tidak_ada.gpkg"}).test_client()
    resp = client.get("/")
    assert resp.status_code == 503 and "geo-klaster" in resp.data.decode()
    assert client.get("/api/analisis/kecamatan.geojson").status_code == 503


def test_gap_page_item_chooser(client: Any) -> None:
    html = client.get("/gap?barang=beras").data.decode()
    assert '<select name="barang"' in html
    assert '<option value="beras" selected>' in html
    assert "Kekurangan Beras" in html


def test_gap_page_gives_the_reasons_and_lists_those_below_the_threshold(client: Any) -> None:
    # the demo's latihan_banjir_utara: 10 at-risk kecamatan share the toilets; Karang Bahagia
    # (3.8 % flooded) is below the 5 % threshold
    html = client.get("/gap?barang=toilet").data.decode()
    assert '<th class="alasan">Alasan</th>' in html
    assert (
        "stok yang sama juga terjangkau" in html and "dibagi adil menurut porsi kebutuhan" in html
    )
    assert "di bawah ambang: tergenang 3,8 %, kurang dari ambang berisiko 5 %" in html
    assert "Karang Bahagia</a> <small>di bawah ambang</small>" in html
    assert "jumlah kecamatan berisiko" in html
    overview = client.get("/").data.decode()
    assert "<h2>Di bawah ambang</h2>" in overview and 'href="/kecamatan/32.16.10"' in overview
    assert "kecamatan di bawah ambang (tidak ikut alokasi)" in overview


def test_gap_map_counts_whole_units_without_decimals(client: Any) -> None:
    """toilet is counted in whole units: tooltips, popups and legend classes show no decimals;
    rice (kg) keeps its decimal in the popups."""
    toilet = client.get("/gap?barang=toilet").data.decode()
    # Babelan: need 295, allocated 34, short 261 toilets (the gap table of the demo)
    assert "kurang 261 unit" in toilet and "kurang 261,0 unit" not in toilet
    legend = toilet[toilet.index("Kekurangan Toilet portabel (unit)") :][:3000]
    classes = re.findall(r"\\u0026gt; ([\d.,]+) \\u2013 ([\d.,]+)", legend)
    assert classes and all("," not in a + b for a, b in classes), classes
    beras = client.get("/gap?barang=beras").data.decode()
    assert re.search(r"kurang [\d.]+,\d kg", beras)
    # the allocation table and the overview's largest shortfalls likewise
    alokasi = client.get("/alokasi").data.decode()
    boats = re.findall(r'<td>Perahu karet</td><td class="n">([\d.,]+)</td>', alokasi)
    assert boats and all("," not in q for q in boats), boats
    rice = re.findall(r'<td>Beras</td><td class="n">([\d.,]+)</td>', alokasi)
    assert rice and all("," in q for q in rice), rice
    assert re.search(r'<td class="n">[\d.]+ unit</td>', client.get("/").data.decode())


def test_alokasi_page_states_the_fair_rule(client: Any) -> None:
    html = client.get("/alokasi").data.decode()
    assert "dibagi adil menurut porsi kebutuhan" in html
    assert "tanpa menurunkan porsi" in html and "jumlah × jarak" in html


def test_alokasi_page_and_action_plan_download(client: Any) -> None:
    from openpyxl import load_workbook

    html = client.get("/alokasi").data.decode()
    assert 'href="/alokasi/rencana_aksi.xlsx"' in html
    resp = client.get("/alokasi/rencana_aksi.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Ringkasan", "Per kecamatan", "Per anggota"]
    assert "DRAF rencana aksi" in str(wb["Ringkasan"]["A1"].value)


def test_anggota_page_stale_first(client: Any, demo_store: Path) -> None:
    html = client.get("/anggota").data.decode()
    body = html.split("Semua anggota", 1)[1]
    statuses = re.findall(r"<b class=\"usang\">usang</b>|terkini", body)
    assert statuses and "terkini" in statuses
    first_current = statuses.index("terkini")
    assert all(s != "terkini" for s in statuses[:first_current])
    assert all(s == "terkini" for s in statuses[first_current:])
    n_members = open_store(demo_store).count("anggota")
    assert len(statuses) == n_members


def test_print_sheet_has_a4_stylesheet(client: Any) -> None:
    html = client.get(f"/kecamatan/{AT_RISK}/cetak").data.decode()
    assert "cetak.css" in html and "Lembar kesiapan" in html
    css = _fetch(client, "/static/cetak.css")[1].decode()
    assert "@page" in css and "A4" in css and "@media print" in css
    # the sheet keeps the ten largest dispatch lines and the sign-off; the rest is annexed
    assert "10 alokasi terbesar" in html and "Disiapkan oleh" in html
    assert f'href="/kecamatan/{AT_RISK}/lampiran"' in html
    assert "grafik-kesiapan" in html  # readiness bars, inline SVG drawn by the server


def test_annex_lists_every_allocation_line(client: Any, demo_store: Path) -> None:
    from geo_klaster.analysis.pipeline import run_analysis

    result = run_analysis(open_store(demo_store).read_all(), today=DAY)
    n = int((result.alokasi["kode"] == AT_RISK).sum())
    html = client.get(f"/kecamatan/{AT_RISK}/lampiran").data.decode()
    assert f"{n} baris" in html and "Stok siap" in html


def test_vendor_assets_served_from_xstatic(client: Any) -> None:
    import xstatic.pkg.leaflet as xs

    status, data = _fetch(client, "/vendor/leaflet/leaflet.js")
    assert status == 200
    assert data == (Path(xs.BASE_DIR) / "leaflet.js").read_bytes()
    assert _fetch(client, "/vendor/markercluster/MarkerCluster.Default.css")[0] == 200
    assert _fetch(client, "/vendor/leaflet/images/layers.png")[0] == 200
    assert _fetch(client, "/vendor/jquery/jquery.js")[0] == 404
    assert _fetch(client, "/vendor/leaflet/../../../../etc/passwd")[0] == 404


def test_maps_module_does_not_import_flask() -> None:
    code = "import sys, geo_klaster.maps; print('flask' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
