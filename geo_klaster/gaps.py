"""Gaps per at-risk kecamatan and item: need, stock within reach, allocated, shortfall."""

from __future__ import annotations

import pandas as pd

KOLOM = ["kode", "barang", "satuan", "kebutuhan", "terjangkau", "teralokasi", "kekurangan"]


def gaps(
    kebutuhan: pd.DataFrame,
    jangkauan: pd.DataFrame,
    stok: pd.DataFrame,
    alokasi: pd.DataFrame,
) -> pd.DataFrame:
    """The gap table.

    Parameters
    ----------
    kebutuhan
        Needs from :func:`geo_klaster.needs.needs` (``kode``, ``barang``, ``satuan``,
        ``kebutuhan``): one row per at-risk kecamatan and item with a standard or norm.
    jangkauan
        Reach pairs (``kode``, ``lokasi_id``).
    stok
        Committable stock (``lokasi_id``, ``barang``, ``komit``).
    alokasi
        Allocation (``kode``, ``barang``, ``jumlah``).

    Returns
    -------
    pandas.DataFrame
        :data:`KOLOM`. ``terjangkau`` is the committable stock within reach of *this*
        kecamatan: a site reaching several kecamatan counts in each (by design; the
        allocation counts it once). ``kekurangan = kebutuhan − teralokasi`` (NaN when the need
        is unknown).
    """
    usable = stok.loc[stok["komit"] > 0, ["lokasi_id", "barang", "komit"]]
    reach = (
        jangkauan[["kode", "lokasi_id"]]
        .merge(usable, on="lokasi_id")
        .groupby(["kode", "barang"])["komit"]
        .sum()
        .rename("terjangkau")
    )
    given = alokasi.groupby(["kode", "barang"])["jumlah"].sum().rename("teralokasi")
    out = kebutuhan[["kode", "barang", "satuan", "kebutuhan"]].join(reach, on=["kode", "barang"])
    out = out.join(given, on=["kode", "barang"])
    out["terjangkau"] = out["terjangkau"].fillna(0.0).astype(float)
    out["teralokasi"] = out["teralokasi"].fillna(0.0).astype(float)
    out["kekurangan"] = out["kebutuhan"] - out["teralokasi"]
    return out[KOLOM].reset_index(drop=True)
