"""Two languages: Bahasa Indonesia by default, English by ?lang=, cookie or Accept-Language;
every page's text through the catalogue (pseudo-locale run over every page and role)."""

from __future__ import annotations

import json
import re
from html import escape as html_escape
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from halaman import contoh, pages
from web_akun import login, make_app, site_of

from geo_klaster import i18n
from geo_klaster.store import open_store

# Words on pages that are names, not text: languages, formats, products, units, time zones.
BUKAN_TEKS = {
    "bahasa", "indonesia", "english", "geojson", "geopackage", "csv", "xlsx", "qgis", "json",
    "api", "wgs", "bpbd", "bearer", "authorization", "leaflet", "openstreetmap", "geo",
    "klaster", "token", "lon", "lat", "pdf", "id", "en", "km", "kg", "wib", "wita", "wit",
}  # fmt: skip
FILE_NAME = re.compile(r"[\w.-]+\.(?:geojson|csv|xlsx|gpkg|json|toml)\b")


class _Teks(HTMLParser):
    """Visible text and the attributes people read (title, aria-label, placeholder, alt);
    content marked ``translate="no"`` (data: audit details) is left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip: list[str] = []  # open elements whose content is not text to translate
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.append(tag)
            return
        if tag in ("script", "style") or ("translate", "no") in attrs:
            self.skip.append(tag)
            return
        self.out += [
            v for k, v in attrs if k in ("title", "aria-label", "placeholder", "alt") and v
        ]

    def handle_endtag(self, tag: str) -> None:
        if self.skip and tag == self.skip[-1]:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def untranslated(html: str, data_words: set[str]) -> tuple[list[str], set[str]]:
    """Strings marked missing from the English catalogue (``⟦!…⟧``), and words outside any
    ``⟦…⟧`` that are not data (names from the store, codes, units, numbers)."""
    parser = _Teks()
    parser.feed(html)
    text = "\n".join(parser.out)
    missing = re.findall(r"⟦!([^⟧]*)⟧", text)
    rest = text
    while True:  # innermost first: a translated string may hold another (a list's "and")
        stripped = re.sub(r"⟦[^⟦⟧]*⟧", " ", rest)
        if stripped == rest:
            break
        rest = stripped
    rest = FILE_NAME.sub(" ", rest)
    rest = re.sub(r"\S+…", " ", rest)  # a name cut short to fit (charts) is data
    words = {w for w in re.findall(r"[A-Za-zÀ-ÿ]{2,}", rest)}
    return missing, {w for w in words if w.lower() not in data_words}


_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
_OVERLAYS = re.compile(r"overlays\s*:\s*\{(.*?)\}", re.DOTALL)


def map_text(html: str) -> str:
    """The text of the page's maps that sits in scripts: legends (HTML in JSON strings) and
    the layer control's layer names, as HTML for :func:`untranslated`."""
    out = []
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.DOTALL):
        for lit in _LITERAL.findall(script):
            if "lg-judul" not in lit:
                continue
            text = json.loads(f'"{lit}"')
            if text.lstrip().startswith("<"):
                out.append(text)
        for block in _OVERLAYS.findall(script):
            names = re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block)
            out += [f"<p>{html_escape(json.loads(n))}</p>" for n in names]
    return "\n".join(out)


def data_words(path: Path) -> set[str]:
    """Every word of every text value in the store (names, codes, units, scenario names),
    the account names, and :data:`BUKAN_TEKS`."""
    store = open_store(path)
    words = set(BUKAN_TEKS) | {"bpbd", "a1", "a2"}
    for frame in store.read_all().values():
        for col in frame.columns:
            if frame[col].dtype == object:
                for v in frame[col].dropna().astype(str).unique():
                    words |= {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]{2,}", v)}
    return words


@pytest.fixture
def semu(store_akun: tuple[Path, dict[str, str]]) -> Any:
    return make_app(store_akun[0], BAHASA_SEMU=True, TODAY="2026-11-27")


def test_default_is_bahasa_indonesia_and_lang_wins(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in html and "Ikhtisar kesiapan" in html
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in en and "Readiness overview" in en
    # numbers in the language's notation: 15,0 km in Bahasa Indonesia, 15.0 km in English
    assert "<b>15,0 km</b>" in html and "<b>15.0 km</b>" in en and "<b>15,0 km</b>" not in en
    idn = client.get("/?lang=id", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="id">' in idn and "Ikhtisar kesiapan" in idn


def test_switch_is_remembered(app: Any) -> None:
    c = app.test_client()
    resp = c.get("/gap?lang=en")
    assert '<html lang="en">' in resp.get_data(as_text=True)
    assert "bahasa=en" in resp.headers["Set-Cookie"]
    assert '<html lang="en">' in c.get("/alokasi").get_data(as_text=True)  # cookie
    assert '<html lang="id">' in c.get("/alokasi?lang=id").get_data(as_text=True)
    assert '<html lang="id">' in c.get("/anggota").get_data(as_text=True)


def test_english_error_page_and_names_kept(client: Any) -> None:
    resp = client.get("/kecamatan/32.16.99?lang=en")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "Not found" in html and "Kembali" not in html
    # file and route names are never translated
    assert "rencana_aksi.xlsx" in client.get("/alokasi?lang=en").get_data(as_text=True)


def test_pseudo_locale_only_when_configured(app: Any) -> None:
    html = app.test_client().get("/?lang=xx").get_data(as_text=True)
    assert '<html lang="id">' in html and "⟦" not in html


@pytest.mark.parametrize("peran", [None, "a1", "bpbd"])
def test_every_page_goes_through_the_catalogue(
    semu: Any, store_akun: tuple[Path, dict[str, str]], peran: str | None
) -> None:
    """Rendered in the pseudo-locale, no page shows text that skipped _() or lacks English."""
    path = store_akun[0]
    c = semu.test_client()
    if peran:
        login(c, peran)
    words = data_words(path)
    urls = pages(semu, contoh(site_of(path, "AGT-001")))
    assert len(urls) >= 12, urls
    checked = 0
    banding = "/banding?skenario=latihan_banjir_utara&skenario=latihan_kali_bekasi"
    maps = 0
    for url in urls + ["/tidak-ada", banding]:
        resp = c.get(url + ("&" if "?" in url else "?") + "lang=xx")
        assert resp.status_code < 500, (url, resp.status_code)
        if "text/html" not in resp.content_type or 300 <= resp.status_code < 400:
            continue
        html = resp.get_data(as_text=True)
        missing, left = untranslated(html, words)
        assert not missing, f"{url}: not in the English catalogue: {missing}"
        assert not left, f"{url}: text not passed through _(): {sorted(left)}"
        peta = map_text(html)  # legends and layer names live in the map's script
        if peta:
            missing, left = untranslated(peta, words)
            assert not missing, f"{url} (map): not in the English catalogue: {missing}"
            assert not left, f"{url} (map): text not passed through _(): {sorted(left)}"
            maps += 1
        checked += 1
    assert maps >= 6, maps
    assert checked >= 10


def test_catalogue_covers_every_string_in_the_code() -> None:
    """Every string passed to _() in the installed package has an English translation."""
    from babel.messages.extract import extract_from_dir

    missing = []
    for package, method in (
        ("geo_klaster", "python"),
        ("geo_klaster.web", "python"),
        ("geo_klaster.web", "jinja2"),
    ):
        root = str(resources.files(package))
        pattern = "**.html" if method == "jinja2" else "**.py"
        found = extract_from_dir(
            root,
            method_map=[(pattern, method)],
            options_map={pattern: {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        )
        for filename, _lineno, message, _comments, _context in found:
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and msgid not in i18n.katalog("en"):
                missing.append(f"{package}/{filename}: {msgid!r}")
    assert not missing, "\n".join(missing)


def test_gettext_formats_and_falls_back() -> None:
    with i18n.dalam_bahasa("en"):
        assert i18n.gettext("Kecamatan %(nama)s", nama="Babelan") == "Kecamatan Babelan"
        assert i18n.gettext("Ikhtisar") == "Overview"
        assert i18n.gettext("kalimat yang belum ada") == "kalimat yang belum ada"
    assert i18n.gettext("Ikhtisar") == "Ikhtisar"
    assert i18n.bahasa_lingkungan({"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.bahasa_lingkungan({"GEO_KLASTER_LANG": "id", "LANG": "en_US.UTF-8"}) == "id"
    assert i18n.bahasa_lingkungan({"LANG": "C.UTF-8"}) == "id"


def test_gap_reasons_in_english() -> None:
    """The reasons gaps() writes in Bahasa Indonesia read in English on English pages."""
    from geo_klaster.analysis import gaps

    p = gaps._persen
    samples = [
        (
            f"di bawah ambang: tergenang {p(0.032)}, kurang dari ambang berisiko {p(0.05)}; "
            "tidak ikut alokasi"
        ),
        "jumlah pengungsi tidak diketahui (penduduk kosong); tidak dialokasikan",
        "kebutuhan sudah terpenuhi; sisa stok terjangkau tidak diperlukan di sini",
        (
            f"stok yang sama juga terjangkau {gaps._daftar(['Babelan', 'Tambun', 'Cikarang'])}; "
            f"dibagi adil menurut porsi kebutuhan ({p(0.238)} kebutuhan terpenuhi); "
            "dibulatkan ke unit utuh"
        ),
        (
            f"stok yang sama juga terjangkau {gaps._daftar(list('ABCDEFG'))}; dibagi adil "
            f"menurut porsi kebutuhan ({p(0.0004)} kebutuhan terpenuhi)"
        ),
        f"sisa stok terjangkau kurang dari satu unit utuh ({p(0.5)} kebutuhan terpenuhi)",
        f"{p(0.9996)} kebutuhan terpenuhi",
    ]
    assert gaps.alasan_bahasa(samples[0]) == samples[0]  # Bahasa Indonesia: as written
    with i18n.dalam_bahasa("en"):
        for s in samples:
            en = gaps.alasan_bahasa(s)
            left = set(re.findall(r"[a-z]{3,}", en)) & {
                "dan",
                "kebutuhan",
                "terpenuhi",
                "stok",
                "ambang",
                "tidak",
                "lainnya",
                "dibagi",
            }
            assert en != s and not left, (s, en)
        assert "3.2 %" in gaps.alasan_bahasa(samples[0])  # 3,2 % in English notation
