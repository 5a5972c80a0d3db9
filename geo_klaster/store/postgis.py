"""The shared store: PostgreSQL with PostGIS, behind the same interface as the GeoPackage.

Chosen by a database URL: ``postgresql://user:password@host:5432/db`` (or ``postgres://``).
All of a store lives in one PostgreSQL schema, ``public`` unless the URL says otherwise with
``?schema=name`` (lower-case letters, digits, ``_``): one database can hold several regencies,
one schema each. Other URL parameters (``sslmode``, ``connect_timeout`` ...) go to libpq; a
password may also come from ``~/.pgpass`` or ``PGPASSWORD``.

Layout (created by :meth:`PostgisStore.init`, idempotent):

- one table per layer, named like the layer: ``fid bigserial primary key``, then ``geom
  geometry(MultiPolygon, 4326)`` or ``geometry(Point, 4326)`` with a GiST index, then the
  schema's fields (str → text, int → bigint, float → double precision, bool → boolean,
  date → date, datetime → timestamp(3), naive UTC, the GeoPackage's millisecond precision);
- DESIGN.md's rules as constraints, the backstop behind the Python validation: keys
  ``UNIQUE NOT NULL``; required fields ``NOT NULL``; enums, patterns, min/max and
  ``stok.siap <= stok.jumlah`` as ``CHECK``; references (``desa.kode → kecamatan.kode``,
  ``lokasi.anggota_id → anggota.id``, ``stok.lokasi_id → lokasi.id``, ``stok.barang →
  barang.kode``) as foreign keys ``DEFERRABLE INITIALLY DEFERRED``, so that a ``replace``
  import (delete all, insert again, one transaction) is checked once, as a whole;
- private tables as in the GeoPackage: ``klaster_meta`` (data version and named values),
  ``klaster_akun``, ``klaster_token``, ``klaster_audit``.

Transactions: one PostgreSQL transaction per :meth:`PostgisStore.transaction`, READ COMMITTED.
Appends never conflict; the version counter is raised with ``UPDATE ... SET value = value + 1``
(its row lock serialises only that last statement, so no increment is lost). Deferred
constraints are checked just before that update, so a writer never waits on data rows while
holding the version row. A constraint violation or a deadlock becomes a
:class:`~geo_klaster.errors.StoreError`; nothing is written.

Bulk inserts use ``COPY ... FROM STDIN`` with geometries as hex EWKB; reads use ``ST_AsBinary``.
Connections come from a small pool per database (per URL without ``schema``), shared by every
:class:`PostgisStore` of the process (the web app opens a store per request): at most
``MAX_IDLE`` idle connections are kept, more are opened while needed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.pq import TransactionStatus

from geo_klaster import schema as schema_mod
from geo_klaster.errors import StoreError
from geo_klaster.store.base import (
    LAYER_VERSION_PREFIX,
    Account,
    AuditEntry,
    Store,
    Token,
    Writer,
    layer_versions_from,
)
from geo_klaster.store.gpkg import _column_from_sql
from geo_klaster.store.private import AUDIT_COLUMNS, PrivateSql, postgres
from geo_klaster.store.values import millis, plain

DEFAULT_SCHEMA = "public"
MAX_IDLE = 4  # idle connections kept per URL
CONNECT_TIMEOUT = 10  # seconds

PG_TYPES = {
    "str": "text",
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "date": "date",
    "datetime": "timestamp(3)",
}

# Rules that span two fields of one row (DESIGN.md: committable stock never exceeds stock held).
EXTRA_CHECKS = {"stok": {"stok_siap_le_jumlah": '"siap" <= "jumlah"'}}

# Read expressions giving exactly what the GeoPackage's sqlite3 gives (text dates and times).
_DATE_TEXT = "YYYY-MM-DD"
_DATETIME_TEXT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


# -- URLs and connections ------------------------------------------------------------------------


def parse_url(url: str) -> tuple[str, str, str]:
    """``(conninfo for libpq, schema, display form without the password)``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise StoreError(f"bukan URL PostgreSQL / not a PostgreSQL URL: {url}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    rest = []
    for name, value in query:
        if name == "schema":
            schema = value
        else:
            rest.append((name, value))
    if not _SCHEMA_NAME.match(schema):
        raise StoreError(
            f"nama skema tidak sah / invalid schema name '{schema}' "
            "(huruf kecil, angka, _; mis. ?schema=bekasi)"
        )
    conninfo = urlunsplit(parts._replace(query=urlencode(rest)))
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = userinfo.split(":", 1)[0] + ":***@" + host
    display = urlunsplit(parts._replace(netloc=netloc))
    return conninfo, schema, display


class _Pool:
    """A few idle autocommit connections to one database, reused across stores and threads."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise StoreError(
                f"tidak bisa terhubung ke PostgreSQL / cannot connect to PostgreSQL: "
                f"{str(exc).strip()}"
            ) from None
        try:
            row = conn.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'postgis'"
            ).fetchone()
            # tables are always named with their schema; the path only finds PostGIS
            path = [s for s in (row[0] if row else None, "public") if s]
            conn.execute(
                "SELECT set_config('search_path', %s, false)",
                (", ".join(dict.fromkeys(sql.Identifier(p).as_string(conn) for p in path)),),
            )
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        conn = None
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's sockets are not ours
                self._idle = []
                self._pid = os.getpid()
            while self._idle:
                candidate = self._idle.pop()
                if not candidate.closed:
                    conn = candidate
                    break
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        finally:
            self._release(conn)

    def _release(self, conn: psycopg.Connection) -> None:
        reusable = (
            not conn.closed
            and conn.info.transaction_status == TransactionStatus.IDLE
            and self._pid == os.getpid()
        )
        if reusable:
            with self._lock:
                if len(self._idle) < MAX_IDLE:
                    self._idle.append(conn)
                    return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class _SharedReads:
    """One read at a time, shared by the callers waiting for it.

    A caller is answered by a read that *started after it called*: if none is running, it
    runs one; if one is running (it started earlier, so may miss a write the caller must
    see), the caller waits for it to end and then for the next read, which one of the
    waiters runs for all of them. Every answer is thus as fresh as the caller's own read
    would be, with one query for a crowd of concurrent callers instead of one each. A
    failed read answers no one: its waiters try again (and see their own error).
    """

    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read
        self._cond = threading.Condition()
        self._started = 0  # reads started
        self._done = 0  # reads ended (the last one's number)
        self._ok = 0  # the last read that succeeded, and its value
        self._value = 0

    def read(self) -> int:
        with self._cond:
            need = self._started + 1  # the first read to start from now on
            while True:
                if self._ok >= need:
                    return self._value
                if self._started == self._done:  # none running: start read `need` or later
                    self._started += 1
                    mine = self._started
                    break
                self._cond.wait()
        ok, value = False, 0
        try:
            value = self._read()
            ok = True
            return value
        finally:
            with self._cond:
                self._done = mine
                if ok:
                    self._ok, self._value = mine, value
                self._cond.notify_all()


_POOLS: dict[str, _Pool] = {}
_POOLS_LOCK = threading.Lock()


def _pool_for(conninfo: str) -> _Pool:
    with _POOLS_LOCK:
        pool = _POOLS.get(conninfo)
        if pool is None:
            pool = _POOLS[conninfo] = _Pool(conninfo)
        return pool


@atexit.register
def close_pools() -> None:
    """Close every idle pooled connection (at exit; tests call it to drop a database)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
    for pool in pools:
        pool.close()


# -- values ---------------------------------------------------------------------------------------


def _to_pg(value: object, ftype: str) -> object:
    """One frame value -> what is sent to PostgreSQL (dates and times as text, ms precision)."""
    value = plain(value, ftype)
    if ftype == "datetime" and value is not None:
        return millis(value)  # type: ignore[arg-type]
    return value


def _geometries(frame: pd.DataFrame, geometry_type: str) -> np.ndarray:
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if geometry_type == "MultiPolygon" and len(geoms):
        single = shapely.get_type_id(geoms) == 3  # Polygon: promoted, as the import does
        if single.any():
            geoms = geoms.copy()
            geoms[single] = [shapely.MultiPolygon([g]) for g in geoms[single]]
    if geometry_type == "MultiLineString" and len(geoms):
        single = shapely.get_type_id(geoms) == 1  # LineString: promoted, as the import does
        if single.any():
            geoms = geoms.copy()
            geoms[single] = [shapely.MultiLineString([g]) for g in geoms[single]]
    return geoms


def _ewkb_hex(geoms: np.ndarray) -> list[str | None]:
    """Geometries as hex EWKB with SRID 4326 (what a geometry column accepts in COPY)."""
    if not len(geoms):
        return []
    with_srid = shapely.set_srid(geoms, 4326)
    out = shapely.to_wkb(with_srid, hex=True, include_srid=True, flavor="extended")
    return [None if g is None else h for g, h in zip(geoms, out, strict=True)]


def _read_expr(field: schema_mod.FieldSpec) -> sql.Composable:
    col = sql.Identifier(field.name)
    if field.type == "date":
        return sql.SQL("to_char({}, {})").format(col, sql.Literal(_DATE_TEXT))
    if field.type == "datetime":
        return sql.SQL("to_char({}, {})").format(col, sql.Literal(_DATETIME_TEXT))
    return col


def _store_error(exc: psycopg.Error) -> StoreError:
    diag = exc.diag
    what = diag.constraint_name or diag.message_primary or str(exc).strip()
    if isinstance(exc, psycopg.errors.IntegrityError):
        return StoreError(
            f"ditolak oleh aturan basis data / rejected by a database constraint ({what}): "
            f"{(diag.message_primary or '').strip()}; tidak ada yang ditulis / nothing written"
        )
    if isinstance(exc, psycopg.errors.DeadlockDetected | psycopg.errors.SerializationFailure):
        return StoreError(
            "penulisan bertabrakan dengan penulisan lain, coba lagi / write conflicted with "
            f"another, try again ({what}); tidak ada yang ditulis / nothing written"
        )
    return StoreError(f"galat basis data / database error: {str(exc).strip()}")


# -- the writer -----------------------------------------------------------------------------------


class PostgisWriter(Writer):
    """Write operations inside one PostgreSQL transaction."""

    def __init__(self, store: PostgisStore, conn: psycopg.Connection) -> None:
        self._store = store
        self._conn = conn
        self.touched: set[str] = set()  # layers written: their data versions are raised

    def _table(self, layer: str) -> sql.Composed:
        return sql.Identifier(self._store.schema, layer)  # type: ignore[return-value]

    def append(self, layer: str, frame: pd.DataFrame, *, keep_fid: bool = False) -> int:
        self.touched.add(layer)
        sch = schema_mod.get(layer)
        if frame.empty:
            return 0
        cols = [f for f in sch.fields if f.name in frame.columns]
        names = [f.name for f in cols]
        columns = [[_to_pg(v, f.type) for v in frame[f.name].tolist()] for f in cols]
        if keep_fid:
            names.insert(0, "fid")
            columns.insert(0, [int(i) for i in frame.index])
        if sch.has_geometry:
            names.append("geom")
            columns.append(_ewkb_hex(_geometries(frame, sch.geometry)))
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            self._table(layer), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with self._conn.cursor() as cur:
            with cur.copy(stmt) as copy:
                for row in zip(*columns, strict=True):
                    copy.write_row(row)
            if keep_fid:
                cur.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({}, 'fid'), "
                        "coalesce(max(fid), 0) + 1, false) FROM {}"
                    ).format(
                        sql.Literal(self._table(layer).as_string(self._conn)), self._table(layer)
                    )
                )
        return len(frame)

    def delete(self, layer: str, *, field: str | None = None, values: Sequence[object] = ()) -> int:
        self.touched.add(layer)
        sch = schema_mod.get(layer)
        if field is None:
            cur = self._conn.execute(sql.SQL("DELETE FROM {}").format(self._table(layer)))
            return cur.rowcount
        spec = sch.field(field)
        vals = [_to_pg(v, spec.type) for v in values]
        if not vals:
            return 0
        cur = self._conn.execute(
            sql.SQL("DELETE FROM {} WHERE {} = ANY(%s::{}[])").format(
                self._table(layer), sql.Identifier(field), sql.SQL(PG_TYPES[spec.type])
            ),
            (vals,),
        )
        return cur.rowcount

    def update(self, layer: str, frame: pd.DataFrame, *, key: str, columns: Sequence[str]) -> int:
        self.touched.add(layer)
        sch = schema_mod.get(layer)
        columns = [c for c in columns if c != key]
        if not columns or frame.empty:
            return 0
        sets = []
        values = []
        for c in columns:
            if c == "geometry":
                sets.append(sql.SQL("geom = %s::geometry"))
                values.append(_ewkb_hex(_geometries(frame, sch.geometry)))
            else:
                spec = sch.field(c)
                sets.append(
                    sql.SQL("{} = %s::{}").format(sql.Identifier(c), sql.SQL(PG_TYPES[spec.type]))
                )
                values.append([_to_pg(v, spec.type) for v in frame[c].tolist()])
        values.append([_to_pg(v, "str") for v in frame[key].tolist()])
        stmt = sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(
            self._table(layer), sql.SQL(", ").join(sets), sql.Identifier(key)
        )
        total = 0
        with self._conn.cursor() as cur:
            for params in zip(*values, strict=True):
                cur.execute(stmt, params)
                total += cur.rowcount
        return total

    def audit(self, entry: AuditEntry, *, entry_id: int | None = None) -> None:
        private = self._store.private
        if entry_id is None:
            self._conn.execute(private.insert_audit(), entry.row())
            return
        self._conn.execute(private.insert_audit(with_id=True), (entry_id, *entry.row()))
        s = sql.Identifier(self._store.schema)
        self._conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}.klaster_audit"
            ).format(sql.Literal(f"{s.as_string(self._conn)}.klaster_audit"), s)
        )

    def save_account(self, account: Account) -> None:
        nama, peran, anggota_id, sandi_hash, dibuat, aktif = account.row()
        self._conn.execute(
            self._store.private.upsert_account(),
            (nama, peran, anggota_id, sandi_hash, dibuat, bool(aktif)),
        )

    def add_token(self, token: Token) -> None:
        self._conn.execute(self._store.private.insert_token(), token.row())

    def revoke_token(self, token_hash_prefix: str, when: str) -> int:
        cur = self._conn.execute(
            self._store.private.revoke_tokens(len(token_hash_prefix)), (when, token_hash_prefix)
        )
        return cur.rowcount

    def set_meta(self, name: str, value: str) -> None:
        self._conn.execute(self._store.private.set_meta(), (name, value))


# -- the store ------------------------------------------------------------------------------------


class PostgisStore(Store):
    """A geo_klaster store in one schema of a PostgreSQL/PostGIS database."""

    def __init__(self, url: str) -> None:
        self.url = str(url)
        self.conninfo, self.schema, self.location = parse_url(self.url)
        self.private = PrivateSql(postgres(self.schema))
        self._pool = _pool_for(self.conninfo)
        self._complete: set[str] = set()  # layers known to have every schema field
        self._versions = _SharedReads(self._read_version)

    # -- connection -------------------------------------------------------------------------
    def _missing(self) -> StoreError:
        return StoreError(
            f"penyimpanan belum ada / store does not exist: {self.location} "
            "(jalankan `geo-klaster init` atau `geo-klaster demo`)"
        )

    @contextlib.contextmanager
    def _reading(self) -> Iterator[psycopg.Connection]:
        with self._pool.connection() as conn:
            try:
                yield conn
            except psycopg.errors.UndefinedTable:
                raise self._missing() from None
            except psycopg.Error as exc:
                raise _store_error(exc) from exc

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection]:
        """One consistent read-only snapshot for several queries."""
        with self._reading() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")

    def _q(self, template: str, *args: sql.Composable) -> sql.Composed:
        return sql.SQL(template).format(sql.Identifier(self.schema), *args)

    def close(self) -> None:
        """Close the idle connections of this store's pool (shared with same-URL stores)."""
        self._pool.close()

    def exists(self) -> bool:
        with self._pool.connection() as conn:
            try:
                row = conn.execute(
                    "SELECT to_regclass(%s)",
                    (f"{sql.Identifier(self.schema).as_string(conn)}.klaster_meta",),
                ).fetchone()
            except psycopg.Error as exc:
                raise _store_error(exc) from exc
        return row is not None and row[0] is not None

    def init(self) -> None:
        with self._pool.connection() as conn:
            try:
                with conn.transaction():
                    self._create(conn)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise StoreError(
                    f"tidak berhak membuat penyimpanan / not allowed to create the store in "
                    f"{self.location}: {str(exc).strip()} (minta admin basis data menjalankan "
                    "CREATE EXTENSION postgis dan memberi hak CREATE pada skema)"
                ) from None
            except psycopg.Error as exc:
                raise _store_error(exc) from exc

    def _create(self, conn: psycopg.Connection) -> None:
        s = sql.Identifier(self.schema).as_string(conn)
        # two processes initialising at once: the second waits, then finds everything there
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"geo_klaster:{self.schema}",))
        has_postgis = conn.execute(
            "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"
        ).fetchone()
        if not has_postgis or not has_postgis[0]:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        found = conn.execute("SELECT to_regclass(%s)", (f"{s}.klaster_meta",)).fetchone()
        if found is None or found[0] is None:
            for statement in self._layer_ddl(conn):
                conn.execute(statement)
        for statement in self.private.ddl():
            conn.execute(statement)

    def _layer_ddl(self, conn: psycopg.Connection) -> list[str]:
        s = sql.Identifier(self.schema).as_string(conn)

        def q(name: str) -> str:
            return sql.Identifier(name).as_string(conn)

        def lit(value: object) -> str:
            return sql.Literal(value).as_string(conn)

        out: list[str] = []
        fkeys: list[str] = []
        for sch in schema_mod.schemas().values():
            table = f"{s}.{q(sch.name)}"
            cols = ["fid bigserial PRIMARY KEY"]
            if sch.has_geometry:
                cols.append(f"geom geometry({sch.geometry}, 4326)")
            for f in sch.fields:
                decl = f"{q(f.name)} {PG_TYPES[f.type]}"
                if f.required or f.name == sch.key:
                    decl += " NOT NULL"
                if f.type == "bool" and f.default is not None:
                    decl += f" DEFAULT {lit(bool(f.default))}"
                cols.append(decl)
            for f in sch.fields:
                col = q(f.name)
                if f.name == sch.key:
                    cols.append(f"CONSTRAINT {q(f'{sch.name}_{f.name}_key')} UNIQUE ({col})")
                if f.enum:
                    values = ", ".join(lit(v) for v in f.enum)
                    cols.append(
                        f"CONSTRAINT {q(f'{sch.name}_{f.name}_enum')} CHECK ({col} IN ({values}))"
                    )
                if f.pattern:
                    cols.append(
                        f"CONSTRAINT {q(f'{sch.name}_{f.name}_pola')} CHECK ({col} ~ {lit(f.pattern)})"
                    )
                # plausibility bounds (times relative to now, maxima per item) stay in the
                # validation: only the fixed numeric bounds are constraints
                if isinstance(f.min, (int, float)):
                    cols.append(
                        f"CONSTRAINT {q(f'{sch.name}_{f.name}_min')} CHECK ({col} >= {lit(f.min)})"
                    )
                if isinstance(f.max, (int, float)) and not f.max_per:
                    cols.append(
                        f"CONSTRAINT {q(f'{sch.name}_{f.name}_max')} CHECK ({col} <= {lit(f.max)})"
                    )
                if f.ref:
                    target, tfield = f.ref
                    fkeys.append(
                        f"ALTER TABLE {table} ADD CONSTRAINT {q(f'{sch.name}_{f.name}_fkey')} "
                        f"FOREIGN KEY ({col}) REFERENCES {s}.{q(target)} ({q(tfield)}) "
                        "DEFERRABLE INITIALLY DEFERRED"
                    )
            for name, check in EXTRA_CHECKS.get(sch.name, {}).items():
                cols.append(f"CONSTRAINT {q(name)} CHECK ({check})")
            out.append(f"CREATE TABLE {table} ({', '.join(cols)})")
            out.append(f"COMMENT ON TABLE {table} IS {lit(sch.title + ': ' + sch.description)}")
            for f in sch.fields:
                if f.doc:
                    out.append(f"COMMENT ON COLUMN {table}.{q(f.name)} IS {lit(f.doc)}")
            if sch.has_geometry:
                out.append(f"CREATE INDEX {q(f'{sch.name}_geom_idx')} ON {table} USING gist (geom)")
            for f in sch.fields:
                if f.ref or f.name in ("skenario", "dilaporkan"):
                    out.append(
                        f"CREATE INDEX {q(f'{sch.name}_{f.name}_idx')} ON {table} ({q(f.name)})"
                    )
        return out + fkeys

    # -- reading ----------------------------------------------------------------------------
    def _present(self, conn: psycopg.Connection, layer: str) -> set[str] | None:
        """The schema's fields missing from table ``layer`` (a store made before they
        existed), or None when none is missing (remembered: columns are never dropped)."""
        if layer in self._complete:
            return None
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s",
            (self.schema, layer),
        ).fetchall()
        have = {r[0] for r in rows}
        missing = {f.name for f in schema_mod.get(layer).fields} - have
        if not missing and have:
            self._complete.add(layer)
            return None
        return missing

    def _migrate(self, conn: psycopg.Connection) -> None:
        """Add the fields the schema gained since the store was made (inside the write
        transaction); existing rows get the field's default (``zona_banjir.jenis`` =
        ``rencana``). Enum checks come along; ``NOT NULL`` does not (existing rows)."""
        for sch in schema_mod.schemas().values():
            missing = self._present(conn, sch.name)
            if not missing:
                continue
            table = sql.Identifier(self.schema, sch.name)
            for f in sch.fields:
                if f.name not in missing:
                    continue
                decl = sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(PG_TYPES[f.type]))
                if f.default is not None:
                    decl += sql.SQL(" DEFAULT {}").format(sql.Literal(f.default))
                if f.enum:
                    decl += sql.SQL(" CONSTRAINT {} CHECK ({} IN ({}))").format(
                        sql.Identifier(f"{sch.name}_{f.name}_enum"),
                        sql.Identifier(f.name),
                        sql.SQL(", ").join(sql.Literal(v) for v in f.enum),
                    )
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS ").format(table) + decl
                )

    def _select(self, sch: schema_mod.LayerSchema, missing: set[str] | None = None) -> sql.Composed:
        exprs: list[sql.Composable] = [sql.Identifier("fid")]
        exprs += [
            _read_expr(f) if f.name not in (missing or ()) else sql.Literal(f.default)
            for f in sch.fields
        ]
        if sch.has_geometry:
            exprs.append(sql.SQL("ST_AsBinary(geom)"))
        return sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(exprs), sql.Identifier(self.schema, sch.name)
        )

    @staticmethod
    def _frame(sch: schema_mod.LayerSchema, rows: list[tuple]) -> pd.DataFrame:
        ncols = 1 + len(sch.fields) + (1 if sch.has_geometry else 0)
        cols = list(zip(*rows)) if rows else [() for _ in range(ncols)]
        data = {
            f.name: _column_from_sql(list(cols[i + 1]), f.type) for i, f in enumerate(sch.fields)
        }
        index = pd.Index(list(cols[0]), name="fid", dtype="int64")
        frame = pd.DataFrame(data)
        frame.index = index
        if sch.has_geometry:
            wkbs = np.array([None if b is None else bytes(b) for b in cols[-1]], dtype=object)
            geoms = shapely.from_wkb(wkbs) if rows else np.array([], dtype=object)
            return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=index), crs=4326)
        return frame

    def _read(self, conn: psycopg.Connection, layer: str) -> pd.DataFrame:
        sch = schema_mod.get(layer)
        missing = self._present(conn, layer)
        rows = conn.execute(self._select(sch, missing) + sql.SQL(" ORDER BY fid")).fetchall()
        return self._frame(sch, rows)

    def read(self, layer: str) -> pd.DataFrame:
        schema_mod.get(layer)
        with self._reading() as conn:
            return self._read(conn, layer)

    def read_all(self) -> dict[str, pd.DataFrame]:
        """Every layer from one snapshot (a concurrent write is seen whole or not at all)."""
        with self._snapshot() as conn:
            return {name: self._read(conn, name) for name in schema_mod.layer_names()}

    def features(
        self,
        layer: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[pd.DataFrame, int]:
        """A page of ``layer`` by an indexed query: ``geom && envelope AND ST_Intersects``."""
        sch = schema_mod.get(layer)
        where = sql.SQL("")
        params: list[object] = []
        if bbox is not None:
            if not sch.has_geometry:
                raise ValueError(f"layer {layer} has no geometry: bbox does not apply")
            minx, miny, maxx, maxy = (float(v) for v in bbox)
            where = sql.SQL(
                " WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
                "AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
            )
            params = [minx, miny, maxx, maxy] * 2
        table = sql.Identifier(self.schema, layer)
        with self._snapshot() as conn:
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(table) + where, params
            ).fetchone()
            matched = int(row[0]) if row else 0
            rows = conn.execute(
                self._select(sch, self._present(conn, layer))
                + where
                + sql.SQL(" ORDER BY fid LIMIT %s OFFSET %s"),
                [*params, limit, max(int(offset), 0)],
            ).fetchall()
        return self._frame(sch, rows), matched

    def count(self, layer: str) -> int:
        schema_mod.get(layer)
        with self._reading() as conn:
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(self.schema, layer))
            ).fetchone()
        return int(row[0]) if row else 0

    def distinct(self, layer: str, field: str) -> set[object]:
        spec = schema_mod.get(layer).field(field)
        expr = _read_expr(spec)
        with self._reading() as conn:
            if field in (self._present(conn, layer) or ()):  # store older than the field
                n = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(self.schema, layer))
                ).fetchone()
                return {spec.default} if n and n[0] and spec.default is not None else set()
            rows = conn.execute(
                sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} IS NOT NULL").format(
                    expr, sql.Identifier(self.schema, layer), sql.Identifier(field)
                )
            ).fetchall()
        if spec.type == "bool":  # as the GeoPackage gives them
            return {int(r[0]) for r in rows}
        return {r[0] for r in rows}

    def extent(self, layer: str) -> tuple[float, float, float, float] | None:
        sch = schema_mod.get(layer)
        if not sch.has_geometry:
            return None
        with self._reading() as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT min(ST_XMin(b)), min(ST_YMin(b)), max(ST_XMax(b)), max(ST_YMax(b)) "
                    "FROM (SELECT geom::box3d AS b FROM {} WHERE geom IS NOT NULL "
                    "AND NOT ST_IsEmpty(geom)) AS t"
                ).format(sql.Identifier(self.schema, layer))
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return tuple(float(v) for v in row)  # type: ignore[return-value]

    def version(self) -> int:
        # Asked on every web request, from several threads: concurrent callers share one
        # query that started after they called (see _SharedReads), so the answer is as fresh
        # as a query of their own -- a write committed before the call is seen.
        return self._versions.read()

    def _read_version(self) -> int:
        value = self.get_meta("version")
        return int(value or 0)

    def layer_versions(self) -> dict[str, int]:
        with self._reading() as conn:
            rows = conn.execute(
                self.private.select_layer_versions(),
                (len(LAYER_VERSION_PREFIX), LAYER_VERSION_PREFIX),
            ).fetchall()
        return layer_versions_from(rows)

    def get_meta(self, name: str) -> str | None:
        with self._reading() as conn:
            row = conn.execute(self.private.get_meta(), (name,)).fetchone()
        return row[0] if row else None

    def account(self, name: str) -> Account | None:
        with self._reading() as conn:
            row = conn.execute(self.private.select_accounts(by_name=True), (name,)).fetchone()
        return Account.from_row(row) if row else None

    def accounts(self) -> list[Account]:
        with self._reading() as conn:
            rows = conn.execute(self.private.select_accounts()).fetchall()
        return [Account.from_row(r) for r in rows]

    def token(self, token_hash: str) -> Token | None:
        with self._reading() as conn:
            row = conn.execute(self.private.select_tokens(by_hash=True), (token_hash,)).fetchone()
        return Token(*row) if row else None

    def tokens(self) -> list[Token]:
        """Every API token (hashes only), in hash order."""
        with self._reading() as conn:
            rows = conn.execute(self.private.select_tokens()).fetchall()
        return [Token(*r) for r in rows]

    def read_audit(self, *, limit: int | None = None) -> pd.DataFrame:
        with self._reading() as conn:
            rows = conn.execute(self.private.select_audit(limit=limit)).fetchall()
        return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostgisWriter]:
        if not self.exists():
            self.init()
        with self._pool.connection() as conn:
            try:
                with conn.transaction():
                    self._migrate(conn)
                    writer = PostgisWriter(self, conn)
                    yield writer
                    # deferred checks now, before taking the version row's lock
                    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    conn.execute(self.private.bump_version())
                    for layer in sorted(writer.touched):  # the layer's data version
                        conn.execute(
                            self.private.set_layer_version(), (LAYER_VERSION_PREFIX + layer,)
                        )
            except psycopg.Error as exc:
                raise _store_error(exc) from exc
