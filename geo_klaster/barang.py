"""The item catalogue's unit rules: which items move only in whole units (``barang.bulat``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

# Units of divisible quantities: an item in one of these is not ``bulat`` unless the catalogue
# says so; every other unit (unit, buah, paket, lembar, ...) counts whole things.
SATUAN_TERBAGI = frozenset({"kg", "liter", "l", "g", "ton", "m3"})


def bulat_bawaan(satuan: object) -> bool:
    """Default of ``barang.bulat`` for a unit: False for kg, liter, l, g, ton, m3, else True."""
    return str(satuan).strip().lower() not in SATUAN_TERBAGI


def bulat_kolom(barang: pd.DataFrame) -> pd.Series:
    """``bulat`` per catalogue row (bool), the unit's default where the value is missing."""
    default = barang["satuan"].map(bulat_bawaan) if "satuan" in barang else True
    if "bulat" not in barang:
        return pd.Series(default, index=barang.index, dtype=bool)
    given = barang["bulat"]
    return given.where(given.notna(), default).astype(bool)


def barang_bulat(barang: pd.DataFrame | None) -> set[str]:
    """Codes of the items that move only in whole units."""
    if barang is None or barang.empty:
        return set()
    flag = bulat_kolom(barang).to_numpy(dtype=bool)
    return {str(k) for k in barang["kode"].to_numpy()[flag]}


def utuh(values: Iterable[float] | np.ndarray, *, tol: float = 1e-9) -> np.ndarray:
    """Whether each value is a whole number (within ``tol``; NaN counts as whole)."""
    v = np.asarray(values, dtype=float)
    return np.isnan(v) | (np.abs(v - np.round(v)) <= tol)
