"""A rendered map in parts a page template places itself (not an iframe)."""

from __future__ import annotations

from dataclasses import dataclass

import folium


@dataclass(frozen=True)
class BagianPeta:
    """A rendered map in three parts, for a page template.

    ``header`` (asset links and the map's style) goes in ``<head>``, ``html`` (the map's
    ``div``) where the map should appear, ``script`` (without ``<script>`` tags) at the end
    of ``<body>``.
    """

    header: str
    html: str
    script: str


def bagian_html(m: folium.Map) -> BagianPeta:
    """Render ``m``'s figure into :class:`BagianPeta` (not an iframe, not a whole document)."""
    fig = m.get_root()
    fig.render()  # renders the children: fills the figure's header, html and script
    header = fig.header.render()
    # folium adds a meta charset line; the page has its own.
    header = header.replace(
        '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />', ""
    )
    return BagianPeta(header=header, html=fig.html.render(), script=fig.script.render())
