"""Needs: displaced people × minimum-needs standard × days, plus equipment norms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_klaster.config import AnalysisConfig


def satuan_barang(config: AnalysisConfig, barang: pd.DataFrame | None = None) -> dict[str, str]:
    """Unit per item with a standard: the catalogue's (``barang.satuan``), else the config's."""
    units = {kode: std.satuan for kode, std in config.standar.items()}
    if barang is not None and len(barang):
        units.update(dict(zip(barang["kode"].astype(str), barang["satuan"].astype(str))))
    return {kode: units[kode] for kode in config.standar}


def needs(
    kecamatan: pd.DataFrame,
    *,
    config: AnalysisConfig,
    hari: float | None = None,
    barang: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Need per at-risk kecamatan and item.

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
        Item catalogue, for the units.

    Returns
    -------
    pandas.DataFrame
        ``kode``, ``barang``, ``satuan``, ``kebutuhan`` (in the unit; NaN when the displaced
        people are unknown, never 0), ``ilustratif`` (bool: an illustrative norm). Kecamatan
        not at risk get no rows.
    """
    hari = config.hari if hari is None else hari
    risk = kecamatan.loc[kecamatan["berisiko"].astype(bool)]
    units = satuan_barang(config, barang)
    orang = risk["pengungsi"].to_numpy(dtype=float)
    frames = [
        pd.DataFrame(
            {
                "kode": risk["kode"].to_numpy(),
                "barang": kode,
                "satuan": units[kode],
                "kebutuhan": np.asarray(std.kebutuhan(orang, hari), dtype=float),
                "ilustratif": std.ilustratif,
            }
        )
        for kode, std in config.standar.items()
    ]
    if not frames or risk.empty:
        out = pd.DataFrame(
            {"kode": [], "barang": [], "satuan": [], "kebutuhan": [], "ilustratif": []}
        )
    else:
        out = pd.concat(frames, ignore_index=True)
    out = out.astype(
        {"kode": "str", "barang": "str", "satuan": "str", "kebutuhan": float, "ilustratif": bool}
    )
    return out.sort_values(["kode", "barang"], kind="stable").reset_index(drop=True)
