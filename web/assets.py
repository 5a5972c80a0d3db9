"""Leaflet and Leaflet.markercluster, served from the installed xstatic packages.

Nothing is copied into the repository and nothing comes from a CDN: the files are those of
PyPI's ``xstatic-leaflet`` and ``xstatic-leaflet-markercluster``, under ``/vendor/leaflet/``
and ``/vendor/markercluster/`` (the URLs :func:`geo_klaster.maps.aset_lokal` gives the maps).
"""

from __future__ import annotations

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster
from flask import Blueprint, Response, send_from_directory

bp = Blueprint("assets", __name__, url_prefix="/vendor")

PAKET = {
    "leaflet": xs_leaflet.BASE_DIR,
    "markercluster": xs_markercluster.BASE_DIR,
}
MAX_AGE_S = 7 * 24 * 3600  # versioned by the installed package; a week is safe


@bp.get("/<paket>/<path:filename>")
def vendor(paket: str, filename: str) -> Response:
    from geo_klaster.web.params import TidakDitemukan

    base = PAKET.get(paket)
    if base is None:
        raise TidakDitemukan(f"paket aset '{paket}' tidak ada", "paket")
    return send_from_directory(base, filename, max_age=MAX_AGE_S)
