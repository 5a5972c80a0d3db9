"""Copying a whole store to another backend: ``geo-klaster salin SOURCE TARGET``.

GeoPackage → PostGIS (moving a regency onto the shared server) and back (a file to take away,
open in QGIS, or keep as a backup). Everything goes: every layer in its row order (the stock
history's tie rule, "a later-stored line wins", depends on it), accounts, API tokens (their
hashes), the audit trail and the metadata (``demo``, ``demo_dibangun``); the data version is
not copied (the target's counter simply moves on).

The copy is one transaction on the target: a failure leaves the target as it was. A target
that already holds data is refused. The source is read from the interface only; a write to
the source while the copy runs is detected through its data version and the copy refused.
Afterwards every count is compared, source against target.

Feature ids and audit ids are kept on both backends (:meth:`Writer.append` with
``keep_fid``, :meth:`Writer.audit` with ``entry_id``: the interface declares what a copy
needs).
"""

from __future__ import annotations

import json

import pandas as pd

from geo_klaster import schema as schema_mod
from geo_klaster.errors import StoreError
from geo_klaster.store.base import AuditEntry, Store

META_NAMES = ("demo", "demo_dibangun")
PRIVATE = ("akun", "token", "audit")


def counts(store: Store) -> dict[str, int]:
    """Rows per layer, and accounts, tokens and audit entries."""
    out = {name: store.count(name) for name in schema_mod.layer_names()}
    out["akun"] = len(store.accounts())
    out["token"] = len(store.tokens())
    out["audit"] = len(store.read_audit())
    return out


def _audit_entries(store: Store) -> list[tuple[int, AuditEntry]]:
    log = store.read_audit()
    entries = []
    for row in log.iloc[::-1].itertuples(index=False):  # oldest first
        jumlah = None if pd.isna(row.jumlah) else int(row.jumlah)
        lapisan = None if row.lapisan is None or pd.isna(row.lapisan) else str(row.lapisan)
        rincian = json.loads(row.rincian) if isinstance(row.rincian, str) and row.rincian else {}
        entry = AuditEntry(
            str(row.waktu), str(row.akun), str(row.saluran), str(row.aksi), lapisan, jumlah, rincian
        )
        entries.append((int(row.id), entry))
    return entries


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values of nullable integer columns as None (what every writer accepts)."""
    out = frame
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.Int64Dtype) and frame[col].isna().any():
            if out is frame:
                out = frame.copy()
            out[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return out


def copy_store(source: Store, target: Store) -> dict[str, tuple[int, int]]:
    """Copy everything in ``source`` into the empty store ``target``.

    Returns ``{name: (rows in source, rows in target)}`` for every layer and for ``akun``,
    ``token`` and ``audit``.

    Raises
    ------
    StoreError
        The source does not exist, the target already holds data, the source changed during
        the copy, or the counts differ afterwards (then the target transaction has committed:
        the message says which counts differ).
    """
    if source.location == target.location:
        raise StoreError(
            f"sumber dan tujuan sama / source and target are the same: {source.location}"
        )
    if not source.exists():
        raise StoreError(
            f"penyimpanan sumber belum ada / source store does not exist: {source.location}"
        )
    if target.exists():
        held = {name: n for name, n in counts(target).items() if n}
        if held:
            shown = ", ".join(f"{name} {n}" for name, n in held.items())
            raise StoreError(
                f"penyimpanan tujuan tidak kosong / target store is not empty: {target.location} "
                f"({shown}); salin hanya ke penyimpanan baru atau kosong / copy only into a new "
                "or empty store"
            )

    version = source.version()
    frames = source.read_all()
    accounts = source.accounts()
    tokens = source.tokens()
    audit = _audit_entries(source)
    meta = {name: source.get_meta(name) for name in META_NAMES}
    if source.version() != version:
        raise StoreError(
            f"penyimpanan sumber berubah selama penyalinan, coba lagi / the source changed "
            f"during the copy, try again: {source.location}"
        )
    frames = {name: _plain(frame) for name, frame in frames.items()}
    source_counts = {name: len(frame) for name, frame in frames.items()}
    source_counts.update(akun=len(accounts), token=len(tokens), audit=len(audit))

    with target.transaction() as tx:
        for name in schema_mod.layer_names():  # references are checked at commit on PostGIS
            tx.append(name, frames[name], keep_fid=True)
        for account in accounts:
            tx.save_account(account)
        for token in tokens:
            tx.add_token(token)
        for entry_id, entry in audit:
            tx.audit(entry, entry_id=entry_id)
        for name, value in meta.items():
            if value is not None:
                tx.set_meta(name, value)

    target_counts = counts(target)
    result = {name: (source_counts[name], target_counts[name]) for name in source_counts}
    wrong = {name: pair for name, pair in result.items() if pair[0] != pair[1]}
    if wrong:
        shown = ", ".join(f"{name} {a} → {b}" for name, (a, b) in wrong.items())
        raise StoreError(
            f"jumlah baris berbeda setelah penyalinan / counts differ after the copy: {shown}"
        )
    return result
