"""The JavaScript and CSS a map needs, served by the application (the offline rules).

* Each map and each cluster layer carries its **own** asset list built from :class:`Aset`
  (URLs of Leaflet and Leaflet.markercluster served by the application). folium's class-level
  ``default_js``/``default_css`` lists (CDN links to Leaflet, jQuery, Bootstrap, Font Awesome)
  are never used nor mutated.
* No folium element that needs jQuery or icon fonts: sites are ``L.circleMarker`` inside an
  ``L.markerClusterGroup``; popups and tooltips are bound in plain Leaflet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium


@dataclass(frozen=True)
class Aset:
    """URLs of the JavaScript and CSS a map needs, as served by the application.

    ``peta_*`` go with every map (Leaflet), ``cluster_*`` with each cluster layer
    (Leaflet.markercluster). Each is a tuple of ``(name, url)`` pairs, folium's format.
    """

    peta_js: tuple[tuple[str, str], ...]
    peta_css: tuple[tuple[str, str], ...]
    cluster_js: tuple[tuple[str, str], ...]
    cluster_css: tuple[tuple[str, str], ...]


def aset_lokal(prefix: str = "/vendor") -> Aset:
    """Assets served under ``prefix`` (the web app serves the xstatic packages there)."""
    p = prefix.rstrip("/")
    return Aset(
        peta_js=(("leaflet", f"{p}/leaflet/leaflet.js"),),
        peta_css=(("leaflet_css", f"{p}/leaflet/leaflet.css"),),
        cluster_js=(("markerclusterjs", f"{p}/markercluster/leaflet.markercluster.js"),),
        cluster_css=(
            ("markerclustercss", f"{p}/markercluster/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{p}/markercluster/MarkerCluster.Default.css"),
        ),
    )


class AsetSendiri:
    """Mixin for a folium element that links its own ``default_js``/``default_css``.

    folium's ``JSCSSMixin`` rendering, on the instance's lists: the element sets
    ``self.default_js``/``self.default_css`` from an :class:`Aset` and inherits no CDN links
    (folium's ``MarkerCluster`` keeps them at class level).
    """

    default_js: list[tuple[str, str]]
    default_css: list[tuple[str, str]]

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()  # type: ignore[attr-defined]
        for name, url in self.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(folium.CssLink(url), name=name)
        super().render(**kwargs)  # type: ignore[misc]
