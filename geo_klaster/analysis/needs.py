"""Needs: displaced people × minimum-needs standard × days, plus equipment norms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_klaster.barang import barang_bulat, bulat_bawaan
from geo_klaster.config import AnalysisConfig

KOLOM = ["kode", "barang", "satuan", "kebutuhan", "ilustratif", "berisiko"]


def satuan_barang(config: AnalysisConfig, barang: pd.DataFrame | None = None) -> dict[str, str]:
    """Unit per item with a standard: the catalogue's (``barang.satuan``), else the config's."""
    units = {kode: std.satuan for kode, std in config.standar.items()}
    if barang is not None and len(barang):
        units.update(dict(zip(barang["kode"].astype(str), barang["satuan"].astype(str))))
    return {kode: units[kode] for kode in config.standar}


def barang_utuh(config: AnalysisConfig, barang: pd.DataFrame | None = None) -> frozenset[str]:
    """Items counted in whole units: the catalogue's ``bulat`` (its unit's default where a
    row leaves it out), and, for an item with a standard but no catalogue row, the default of
    the standard's unit."""
    catalogue = set() if barang is None or barang.empty else set(barang["kode"].astype(str))
    units = {k: std.satuan for k, std in config.standar.items() if k not in catalogue}
    return frozenset({k for k, u in units.items() if bulat_bawaan(u)} | barang_bulat(barang))


def needs(
    kecamatan: pd.DataFrame,
    *,
    config: AnalysisConfig,
    hari: float | None = None,
    barang: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Need per kecamatan with displaced people, and item.

    Parameters
    ----------
    kecamatan
        Exposure result with ``kode``, ``pengungsi`` (persons, NaN = unknown) and ``berisiko``.
    config
        Standards and norms (``config.standar``).
    hari
        Days of response; None = ``config.hari``. Weekly standards scale with ``hari / 7``;
        ``once`` standards (toilets, equipment) do not.
    barang
        Item catalogue, for the units and ``bulat`` (whole units only).

    Returns
    -------
    pandas.DataFrame
        :data:`KOLOM`: ``kebutuhan`` in the unit (NaN when the displaced people are unknown,
        never 0; rounded up to whole units per kecamatan for ``bulat`` items),
        ``ilustratif`` (an illustrative norm), ``berisiko`` (the kecamatan is at risk). Rows
        for every at-risk kecamatan, and for the kecamatan *di bawah ambang* (below the
        at-risk threshold) that have displaced people (or a flood and unknown population):
        they are listed, though only the at-risk ones are allocated to.
    """
    hari = config.hari if hari is None else hari
    orang_all = kecamatan["pengungsi"].to_numpy(dtype=float)
    flooded = (
        kecamatan["luas_banjir_m2"].to_numpy(dtype=float) > 0
        if ("luas_banjir_m2" in kecamatan)
        else np.zeros(len(kecamatan), dtype=bool)
    )
    at_risk = kecamatan["berisiko"].to_numpy(dtype=bool)
    below = ~at_risk & ((orang_all > 0) | (np.isnan(orang_all) & flooded))
    rows = kecamatan.loc[at_risk | below]
    units = satuan_barang(config, barang)
    whole = barang_utuh(config, barang)
    orang = rows["pengungsi"].to_numpy(dtype=float)
    needs_per_item = []
    for kode, std in config.standar.items():
        need = np.asarray(std.kebutuhan(orang, hari), dtype=float)
        if kode in whole:
            need = np.ceil(need - 1e-9) + 0.0  # whole units, no -0
        needs_per_item.append(np.broadcast_to(need, len(rows)))
    if not needs_per_item or rows.empty:
        out = pd.DataFrame({c: [] for c in KOLOM})
    else:
        # one block per item, the kecamatan in row order within each (one frame, not one per item)
        items = list(config.standar)
        n = len(rows)
        out = pd.DataFrame(
            {
                "kode": np.tile(rows["kode"].to_numpy(), len(items)),
                "barang": np.repeat(np.array(items, dtype=object), n),
                "satuan": np.repeat(np.array([units[k] for k in items], dtype=object), n),
                "kebutuhan": np.concatenate(needs_per_item),
                "ilustratif": np.repeat([config.standar[k].ilustratif for k in items], n),
                "berisiko": np.tile(rows["berisiko"].to_numpy(dtype=bool), len(items)),
            }
        )
    out = out.astype(
        {
            "kode": "str",
            "barang": "str",
            "satuan": "str",
            "kebutuhan": float,
            "ilustratif": bool,
            "berisiko": bool,
        }
    )
    return out.sort_values(["kode", "barang"], kind="stable").reset_index(drop=True)
