"""The embedded store: one GeoPackage file.

Each layer is a table of the same name (keys are ordinary attribute columns, ``fid`` is the
GeoPackage feature id); geometry is WGS84 (srs_id 4326). A private table ``klaster_meta``
holds the data version and small named values; it is not registered in ``gpkg_contents`` so
GIS tools do not list it.

Every write is one SQLite transaction (``BEGIN IMMEDIATE``); the connection waits up to
``busy_timeout`` for another writer instead of failing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_klaster import schema as schema_mod
from geo_klaster.errors import StoreError
from geo_klaster.store import gpkg_format as fmt
from geo_klaster.store.base import (
    LAYER_VERSION_PREFIX,
    Account,
    AuditEntry,
    Store,
    Token,
    Writer,
    layer_versions_from,
)
from geo_klaster.store.private import AUDIT_COLUMNS, SQLITE, PrivateSql
from geo_klaster.store.values import millis, plain

BUSY_TIMEOUT_MS = 30_000

# Private tables (not in gpkg_contents, so GIS tools do not list them): see store.private.
PRIVATE = PrivateSql(SQLITE)


def _to_sql_value(value: object, ftype: str) -> object:
    """A frame value as SQLite stores it in a GeoPackage (booleans 0/1, ISO 8601 times)."""
    value = plain(value, ftype)
    if value is None:
        return None
    if ftype == "bool":
        return 1 if value else 0
    if ftype == "datetime":
        return millis(value).replace(" ", "T") + "Z"  # type: ignore[arg-type]
    return value


def _column_from_sql(values: list[object], ftype: str) -> pd.Series:
    if ftype == "str":
        return pd.Series(values, dtype=object)
    if ftype == "int":
        return pd.Series(values, dtype="Int64")
    if ftype == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if ftype == "bool":
        return pd.Series([bool(v) if v is not None else False for v in values], dtype=bool)
    if ftype == "date":
        return pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d").astype(
            "datetime64[ns]"
        )
    if ftype == "datetime":
        s = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
        return s.dt.tz_localize(None).astype("datetime64[ns]")
    raise ValueError(ftype)


def _columns(con: sqlite3.Connection, layer: str) -> set[str]:
    """The column names of table ``layer`` as the file has them."""
    return {row[1] for row in con.execute(f'PRAGMA table_info("{layer}")')}


def _migrate(con: sqlite3.Connection) -> None:
    """Add the fields the schema gained since the store was made (inside the write transaction).

    Existing rows get the field's default (e.g. ``zona_banjir.jenis`` = ``rencana``); a
    required field is added without ``NOT NULL`` (SQLite cannot add one to existing rows).
    """
    for sch in schema_mod.schemas().values():
        present = _columns(con, sch.name)
        if not present:
            continue
        for f in sch.fields:
            if f.name in present:
                continue
            decl = f'"{f.name}" {fmt.SQL_TYPES[f.type]}'
            default = _to_sql_value(f.default, f.type) if f.default is not None else None
            if isinstance(default, str):
                decl += " DEFAULT '" + default.replace("'", "''") + "'"
            elif default is not None:
                decl += f" DEFAULT {default!r}"
            con.execute(f'ALTER TABLE "{sch.name}" ADD COLUMN {decl}')


class GpkgWriter(Writer):
    def __init__(self, store: GpkgStore, con: sqlite3.Connection) -> None:
        self._store = store
        self._con = con
        self.touched: set[str] = set()

    def append(self, layer: str, frame: pd.DataFrame, *, keep_fid: bool = False) -> int:
        sch = schema_mod.get(layer)
        if frame.empty:
            return 0
        cols = [f.name for f in sch.fields if f.name in frame.columns]
        rows_cols = [[_to_sql_value(v, sch.field(c).type) for v in frame[c].tolist()] for c in cols]
        names = list(cols)
        if keep_fid:  # the frame's index as feature ids; later rows continue after them
            names.insert(0, "fid")
            rows_cols.insert(0, [int(i) for i in frame.index])
        if sch.has_geometry:
            geoms = np.asarray(frame.geometry.values, dtype=object)
            rows_cols.append(fmt.encode(geoms))
            names.append("geom")
        placeholders = ",".join("?" * len(names))
        quoted = ",".join(f'"{n}"' for n in names)
        self._con.executemany(
            f'INSERT INTO "{layer}" ({quoted}) VALUES ({placeholders})', list(zip(*rows_cols))
        )
        self.touched.add(layer)
        return len(frame)

    def delete(self, layer: str, *, field: str | None = None, values: Sequence[object] = ()) -> int:
        schema_mod.get(layer)
        if field is None:
            cur = self._con.execute(f'DELETE FROM "{layer}"')
        else:
            schema_mod.get(layer).field(field)
            vals = list(values)
            if not vals:
                return 0
            cur = self._con.execute(
                f'DELETE FROM "{layer}" WHERE "{field}" IN ({",".join("?" * len(vals))})', vals
            )
        self.touched.add(layer)
        return cur.rowcount

    def update(self, layer: str, frame: pd.DataFrame, *, key: str, columns: Sequence[str]) -> int:
        sch = schema_mod.get(layer)
        columns = [c for c in columns if c != key]
        if not columns or frame.empty:
            return 0
        names = ["geom" if c == "geometry" else c for c in columns]
        sets = ",".join(f'"{c}" = ?' for c in names)
        params = []
        blobs = (
            fmt.encode(np.asarray(frame.geometry.values, dtype=object))
            if "geometry" in columns
            else None
        )
        for i, (_, row) in enumerate(frame.iterrows()):
            vals = [
                blobs[i]
                if c == "geometry" and blobs is not None
                else _to_sql_value(row[c], sch.field(c).type)
                for c in columns
            ]
            params.append([*vals, _to_sql_value(row[key], "str")])
        cur = self._con.executemany(f'UPDATE "{layer}" SET {sets} WHERE "{key}" = ?', params)
        self.touched.add(layer)
        return cur.rowcount

    def audit(self, entry: AuditEntry, *, entry_id: int | None = None) -> None:
        if entry_id is None:
            self._con.execute(PRIVATE.insert_audit(), entry.row())
        else:
            self._con.execute(PRIVATE.insert_audit(with_id=True), (entry_id, *entry.row()))

    def save_account(self, account: Account) -> None:
        self._con.execute(PRIVATE.upsert_account(), account.row())

    def add_token(self, token: Token) -> None:
        self._con.execute(PRIVATE.insert_token(), token.row())

    def revoke_token(self, token_hash_prefix: str, when: str) -> int:
        cur = self._con.execute(
            PRIVATE.revoke_tokens(len(token_hash_prefix)), (when, token_hash_prefix)
        )
        return cur.rowcount

    def set_meta(self, name: str, value: str) -> None:
        self._con.execute(PRIVATE.set_meta(), (name, value))


class GpkgStore(Store):
    """A geo_klaster store in one GeoPackage file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"GpkgStore needs a path, not {type(path).__name__}")
        self.path = Path(path)
        self.location = str(self.path)
        self._version_seen: tuple[object, int] | None = None
        # the files whose (inode, size, mtime) sign the data version: as plain text, since
        # they are stat()ed on every web request
        self._signed = (os.fspath(self.path), os.fspath(self.path) + "-wal")

    # -- connection -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(
                f"penyimpanan tidak bisa dibuka / cannot open store {self.path}: {exc}"
            )
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return con

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        if not self.exists():
            raise StoreError(
                f"penyimpanan belum ada / store does not exist: {self.path} "
                "(jalankan `geo-klaster init` atau `geo-klaster demo`)"
            )
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    def exists(self) -> bool:
        if not self.path.is_file():
            return False
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                row = con.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'klaster_meta'"
                ).fetchone()
            finally:
                con.close()
        except sqlite3.DatabaseError:
            raise StoreError(
                f"bukan penyimpanan geo_klaster / not a geo_klaster store: {self.path}"
            ) from None
        return bool(row[0])

    def init(self) -> None:
        if self.exists():
            return
        if self.path.exists() and self.path.stat().st_size > 0:
            raise StoreError(
                f"berkas sudah ada dan bukan penyimpanan geo_klaster / "
                f"file exists and is not a geo_klaster store: {self.path}"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect()
        try:
            # WAL: readers never block the writer and concurrent reports queue on the
            # busy timeout instead of failing; GDAL and QGIS read WAL GeoPackages.
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")
            fmt.init_core(con)
            for sch in schema_mod.schemas().values():
                cols = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
                if sch.has_geometry:
                    cols.append(f"geom {sch.geometry.upper()}")
                for f in sch.fields:
                    decl = f'"{f.name}" {fmt.SQL_TYPES[f.type]}'
                    if f.required:
                        decl += " NOT NULL"
                    if f.name == sch.key:
                        decl += " UNIQUE"
                    cols.append(decl)
                con.execute(f'CREATE TABLE "{sch.name}" ({", ".join(cols)})')
                fmt.register_table(
                    con,
                    sch.name,
                    geometry_type=sch.geometry if sch.has_geometry else None,
                    description=sch.description,
                    identifier=sch.title,
                )
                for f in sch.fields:
                    if f.ref or f.name in ("skenario", "dilaporkan"):
                        con.execute(
                            f'CREATE INDEX "idx_{sch.name}_{f.name}" ON "{sch.name}" ("{f.name}")'
                        )
            for statement in PRIVATE.ddl():
                con.execute(statement)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            con.close()
            self.path.unlink(missing_ok=True)
            raise
        con.close()

    # -- reading ----------------------------------------------------------------------------
    def read(self, layer: str) -> pd.DataFrame:
        sch = schema_mod.get(layer)
        with self._reading() as con:
            present = _columns(con, layer)
            fields = [f for f in sch.fields if f.name in present]
            names = ["fid", *(f.name for f in fields)] + (["geom"] if sch.has_geometry else [])
            quoted = ",".join(f'"{n}"' for n in names)
            rows = con.execute(f'SELECT {quoted} FROM "{layer}" ORDER BY fid').fetchall()
        cols = list(zip(*rows)) if rows else [[] for _ in names]
        found = {f.name: list(cols[i + 1]) for i, f in enumerate(fields)}
        # a store made before a field existed: the field reads as its default (see _migrate)
        data = {
            f.name: _column_from_sql(found.get(f.name, [f.default] * len(rows)), f.type)
            for f in sch.fields
        }
        index = pd.Index(list(cols[0]), name="fid", dtype="int64")
        frame = pd.DataFrame(data)
        frame.index = index
        if sch.has_geometry:
            geoms = fmt.decode(list(cols[-1])) if rows else np.array([], dtype=object)
            return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=index), crs=4326)
        return frame

    def count(self, layer: str) -> int:
        schema_mod.get(layer)
        with self._reading() as con:
            return con.execute(f'SELECT count(*) FROM "{layer}"').fetchone()[0]

    def distinct(self, layer: str, field: str) -> set[object]:
        spec = schema_mod.get(layer).field(field)
        with self._reading() as con:
            if field not in _columns(con, layer):  # store older than the field: its default
                n = con.execute(f'SELECT count(*) FROM "{layer}"').fetchone()[0]
                return {spec.default} if n and spec.default is not None else set()
            rows = con.execute(
                f'SELECT DISTINCT "{field}" FROM "{layer}" WHERE "{field}" IS NOT NULL'
            ).fetchall()
        return {r[0] for r in rows}

    def extent(self, layer: str) -> tuple[float, float, float, float] | None:
        sch = schema_mod.get(layer)
        if not sch.has_geometry:
            return None
        with self._reading() as con:
            row = con.execute(
                "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?",
                (layer,),
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return tuple(row)  # type: ignore[return-value]

    def _signature(self) -> tuple[object, ...]:
        """(inode, size, mtime) of the file and its WAL: every commit changes one of them."""
        sig: list[object] = []
        for p in self._signed:
            try:
                st = os.stat(p)
                sig.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                sig.append(None)
        return tuple(sig)

    def version(self) -> int:
        # Asked on every web request: a few stat() calls unless the files changed.
        sig = self._signature()
        seen = self._version_seen
        if seen is not None and seen[0] == sig:
            return seen[1]
        value = int(self.get_meta("version") or 0)
        self._version_seen = (sig, value)
        return value

    def layer_versions(self) -> dict[str, int]:
        with self._reading() as con:
            rows = con.execute(
                PRIVATE.select_layer_versions(),
                (len(LAYER_VERSION_PREFIX), LAYER_VERSION_PREFIX),
            ).fetchall()
        return layer_versions_from(rows)

    def get_meta(self, name: str) -> str | None:
        with self._reading() as con:
            row = con.execute(PRIVATE.get_meta(), (name,)).fetchone()
        return row[0] if row else None

    def account(self, name: str) -> Account | None:
        with self._reading() as con:
            if not self._has_private(con):
                return None
            row = con.execute(PRIVATE.select_accounts(by_name=True), (name,)).fetchone()
        return Account.from_row(row) if row else None

    def accounts(self) -> list[Account]:
        with self._reading() as con:
            if not self._has_private(con):
                return []
            rows = con.execute(PRIVATE.select_accounts()).fetchall()
        return [Account.from_row(r) for r in rows]

    def token(self, token_hash: str) -> Token | None:
        with self._reading() as con:
            if not self._has_private(con):
                return None
            row = con.execute(PRIVATE.select_tokens(by_hash=True), (token_hash,)).fetchone()
        return Token(*row) if row else None

    def tokens(self) -> list[Token]:
        with self._reading() as con:
            if not self._has_private(con):
                return []
            rows = con.execute(PRIVATE.select_tokens()).fetchall()
        return [Token(*r) for r in rows]

    def read_audit(self, *, limit: int | None = None) -> pd.DataFrame:
        cols = list(AUDIT_COLUMNS)
        with self._reading() as con:
            if not self._has_private(con):
                return pd.DataFrame(columns=cols)
            rows = con.execute(PRIVATE.select_audit(limit=limit)).fetchall()
        return pd.DataFrame(rows, columns=cols)

    @staticmethod
    def _has_private(con: sqlite3.Connection) -> bool:
        row = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'klaster_audit'"
        ).fetchone()
        return bool(row[0])

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[GpkgWriter]:
        if not self.exists():
            self.init()
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            for statement in PRIVATE.ddl():  # stores made before these tables existed
                con.execute(statement)
            _migrate(con)
            writer = GpkgWriter(self, con)
            try:
                yield writer
                for layer in writer.touched:
                    self._refresh_contents(con, layer)
                con.execute(PRIVATE.bump_version())
                for layer in sorted(writer.touched):  # the layer's data version: this write's
                    con.execute(PRIVATE.set_layer_version(), (LAYER_VERSION_PREFIX + layer,))
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @staticmethod
    def _refresh_contents(con: sqlite3.Connection, layer: str) -> None:
        """Keep gpkg_contents.last_change and the extent current (GIS tools read them)."""
        sch = schema_mod.get(layer)
        if sch.has_geometry:
            blobs = [r[0] for r in con.execute(f'SELECT geom FROM "{layer}"')]
            if blobs:
                minx, miny, maxx, maxy = shapely.total_bounds(fmt.decode(blobs))
                bounds: tuple[float | None, ...] = (minx, miny, maxx, maxy)
            else:
                bounds = (None, None, None, None)
            con.execute(
                "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
                "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
                (*bounds, layer),
            )
        else:
            con.execute(
                "UPDATE gpkg_contents SET last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') "
                "WHERE table_name=?",
                (layer,),
            )
