"""Every HTML page of the app, enumerated from its URL map (so new pages are covered).

Used by the language test (pseudo-locale over every page) and the phone-layout browser test.
A page whose route takes an argument needs a sample value in :data:`CONTOH`; a new argument
name without one fails the tests (:func:`pages`) rather than leaving the page unchecked.
"""

from __future__ import annotations

import re
from typing import Any

BUKAN_HALAMAN = ("static", "assets.", "api.", "ogc.", "laporan.audit_api", "laporan.stok_api")
"""Endpoints that answer data, not pages."""
BERKAS = re.compile(r"\.(xlsx|csv|geojson|json|gpkg)$")


def contoh(site: str) -> dict[str, Any]:
    """Sample route arguments on the demo store (``site``: a site of member ``a1``)."""
    return {
        "kode": "32.16.02",  # Babelan, at risk in the demo scenario
        "lokasi_id": site,
        "kode_barang": "beras",
        "barang": "beras",
        "/barang/<kode>": {"kode": "beras"},  # per-route overrides
    }


def pages(app: Any, values: dict[str, Any]) -> list[str]:
    """Paths of every GET page (no data endpoints, no file downloads), arguments filled from
    ``values``. Raises ``KeyError`` naming a route argument without a sample value."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(BUKAN_HALAMAN):
            continue
        if BERKAS.search(rule.rule):
            continue
        own = {**values, **values.get(rule.rule, {})}
        missing = [a for a in rule.arguments if a not in own]
        if missing:
            raise KeyError(
                f"route {rule.rule}: add a sample value for {missing} in tests/halaman.py"
            )
        path = rule.rule
        for arg in rule.arguments:
            path = re.sub(r"<(?:[a-z_]+:)?" + arg + ">", own[arg], path)
        out.append(path)
    return sorted(set(out))
