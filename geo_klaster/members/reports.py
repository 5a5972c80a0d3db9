"""Members' periodic stock reports and their sites: the write side, with permissions and audit.

Every function here takes an :class:`~geo_klaster.members.accounts.Actor`, checks that it may write
what it asks to (its own member's sites, or everything for the coordinator), validates with
the same code as file imports, and writes the rows and their audit entry in one transaction.
A report appends to ``stok``; nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster import schema as schema_mod
from geo_klaster.actor import Actor, now_utc
from geo_klaster.errors import InputError, NotFoundError, Problem, ValidationError
from geo_klaster.inputs.importer import context_for, ignored_summary
from geo_klaster.inputs.io import Source, XlsxLimits, read_source
from geo_klaster.inputs.validate import validate
from geo_klaster.store import Store
from geo_klaster.store.base import AuditEntry

REPORT_COLUMNS = ["lokasi_id", "barang", "jumlah", "siap", "satuan", "kondisi", "kedaluwarsa"]
MAX_ROWS = 5_000
MAX_SITE_ID, MAX_SITE_NAME = 64, 200  # characters (as the web form allows)
# a report has at most MAX_ROWS lines of 7 columns
REPORT_XLSX_LIMITS = XlsxLimits(inflated_bytes=20 * 1000 * 1000, cells=100_000)
SERVER_FIELDS = ("dilaporkan",)  # set by the server on every member's report, never by a client


def row_problems(row: Mapping[str, object], n: int) -> list[Problem]:
    """What is wrong with the fields of report row ``n`` (numbered as the reader sees it):
    a time the server sets (a report cannot be back-dated), or a column reports do not have."""
    problems = []
    for k in row:
        if k in SERVER_FIELDS:
            problems.append(
                Problem("waktu laporan diisi server / set by the server", row=n, field=str(k))
            )
        elif k not in REPORT_COLUMNS:
            problems.append(Problem(f"kolom tidak dikenal: {str(k)[:40]}", row=n, field=None))
    return problems


def _refuse_report_time(frame: pd.DataFrame, source: str) -> None:
    if any(c in frame.columns for c in SERVER_FIELDS):
        raise ValidationError(
            source,
            [
                Problem(
                    "waktu laporan diisi server; hapus kolom ini / set by the server",
                    field=c,
                )
                for c in SERVER_FIELDS
                if c in frame.columns
            ],
        )


def site_owners(store: Store) -> dict[str, str]:
    lokasi = store.read("lokasi")
    return dict(zip(lokasi["id"].astype(str), lokasi["anggota_id"].astype(str), strict=True))


def _check_sites(actor: Actor, store: Store, lokasi_ids: Sequence[object]) -> None:
    owners = site_owners(store)
    for lid in sorted({str(x) for x in lokasi_ids if x is not None and str(x).strip()}):
        if lid in owners:
            actor.require_member(owners[lid], f"lokasi {lid}")


def submit_report(
    store: Store,
    actor: Actor,
    rows: pd.DataFrame | Sequence[Mapping[str, object]],
    *,
    lokasi_id: str | None = None,
    source: str = "laporan",
    first_row: int = 1,
    now: dt.datetime | None = None,
) -> int:
    """Append one stock report; returns the number of lines stored.

    Parameters
    ----------
    rows
        One row per item: ``barang, jumlah, siap`` and optionally ``satuan`` (default: the
        catalogue unit), ``kondisi`` (default ``baik``), ``kedaluwarsa`` and ``lokasi_id``
        (when not given for the whole report). The report time ``dilaporkan`` is the
        server's (``now``, UTC) for every caller — form, upload, API —: a row that brings its
        own is refused (history cannot be back-dated).
    lokasi_id
        The site the whole report is for.
    source, first_row
        How problems name the input: ``"{source}, baris {n}"`` with rows numbered from
        ``first_row`` (1 for JSON lines, 2 for CSV/XLSX under a header line).

    Raises
    ------
    ForbiddenError
        A site of another member (and the actor is not the coordinator).
    ValidationError
        Any bad row, or a ``dilaporkan`` column: all of them are named, nothing is written.
    """
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        raise ValidationError(
            source, [Problem("laporan tidak berisi baris / the report has no rows")]
        )
    if len(frame) > MAX_ROWS:
        raise InputError(
            f"{source}: terlalu banyak baris ({len(frame)} > {MAX_ROWS}) / too many rows"
        )
    _refuse_report_time(frame, source)
    frame = frame.astype(object).where(frame.notna(), None)
    if lokasi_id is not None:
        if "lokasi_id" in frame.columns:
            other = {str(v) for v in frame["lokasi_id"] if v is not None} - {lokasi_id}
            if other:
                raise InputError(
                    f"{source}: baris menyebut lokasi lain ({', '.join(sorted(other))}) "
                    f"dari laporan untuk {lokasi_id} / rows name another site"
                )
        frame["lokasi_id"] = lokasi_id
    if "lokasi_id" not in frame.columns:
        raise ValidationError(
            source, [Problem("lokasi tidak disebut / no site given", field="lokasi_id")]
        )
    _check_sites(actor, store, frame["lokasi_id"].tolist())

    context = context_for(store)
    stamp = _utc_naive(now or dt.datetime.now(dt.UTC))
    context.now = stamp.to_pydatetime()
    frame["dilaporkan"] = stamp
    if "satuan" not in frame.columns:
        frame["satuan"] = None
    frame["satuan"] = [
        context.units.get(str(b)) if (u is None or str(u).strip() == "") else u
        for b, u in zip(frame.get("barang", [None] * len(frame)), frame["satuan"], strict=True)
    ]
    src = Source(Path(source), frame, "baris", first_row, None, False)
    checked = validate(src, schema_mod.get("stok"), context, mode="append")
    stok = checked.frame
    with store.transaction() as tx:
        tx.append("stok", stok)
        tx.audit(
            AuditEntry(
                now_utc(), actor.nama, actor.saluran, "laporan_stok", "stok", len(stok),
                {
                    "sumber": source,
                    "lokasi": sorted(set(stok["lokasi_id"])),
                    "barang": sorted(set(stok["barang"])),
                    **ignored_summary(checked.ignored),
                },
            )
        )  # fmt: skip
    return len(stok)


def _utc_naive(moment: dt.datetime) -> pd.Timestamp:
    ts = pd.Timestamp(moment)
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def report_from_file(
    store: Store,
    actor: Actor,
    path: str | Path,
    *,
    lokasi_id: str | None = None,
    name: str | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
) -> int:
    """A CSV or XLSX report (the downloadable template's columns); all rows or none.

    An XLSX is checked against :data:`REPORT_XLSX_LIMITS` before it is parsed. ``decimal``
    (``koma``/``titik``) and ``sheet`` are as for :func:`~geo_klaster.inputs.io.read_source`.
    """
    p = Path(path)
    try:
        src = read_source(
            p, schema_mod.get("stok"), xlsx_limits=REPORT_XLSX_LIMITS, decimal=decimal,
            sheet=sheet if p.suffix.lower() in (".xlsx", ".xlsm") else None,
        )  # fmt: skip
    except ValidationError:
        raise
    except InputError as exc:  # name the file as the person knows it, not a temporary path
        if name is None:
            raise
        raise InputError(exc.message.replace(p.name, name)) from None
    return submit_report(
        store, actor, src.frame, lokasi_id=lokasi_id, source=name or p.name, first_row=src.first_row
    )


def cell_value(v: object) -> object:
    """A stored value for a form or JSON: None for missing, ``YYYY-MM-DD`` (or with
    ``HH:MM`` when not midnight) for times, whole floats as int, numpy scalars as Python."""
    if v is None or (not isinstance(v, str | list | tuple | dict) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v.item() if hasattr(v, "item") else v


def last_report_per_site(stok: pd.DataFrame) -> dict[str, object]:
    """The latest ``dilaporkan`` (UTC) of each site's stock lines, by ``lokasi_id``."""
    waktu = pd.to_datetime(stok["dilaporkan"], errors="coerce")
    return waktu.groupby(stok["lokasi_id"].astype(str)).max().to_dict()


def site_history(
    stok: pd.DataFrame, lokasi_id: str, *, per: dt.date | None = None, limit: int = 200
) -> pd.DataFrame:
    """One site's stock lines, newest first (a later-stored line first on a tie), up to the
    end of day ``per`` (None: all), at most ``limit`` lines."""
    riwayat = stok[stok["lokasi_id"].astype(str) == lokasi_id].copy()
    riwayat["_urutan"] = range(len(riwayat))
    riwayat["_waktu"] = pd.to_datetime(riwayat["dilaporkan"], errors="coerce")
    if per is not None:
        riwayat = riwayat[riwayat["_waktu"] < pd.Timestamp(per) + pd.Timedelta(days=1)]
    riwayat = riwayat.sort_values(["_waktu", "_urutan"], ascending=False).head(limit)
    return riwayat.drop(columns=["_urutan", "_waktu"])


def write_template_xlsx(out: object, katalog: Sequence[Mapping[str, str]]) -> None:
    """The report template as XLSX into ``out`` (a path or binary file): the sheet
    ``laporan`` with the report's columns, and ``barang (petunjuk)``, the item catalogue
    (``kode, nama, satuan``) as a guide."""
    items = pd.DataFrame(list(katalog), columns=["kode", "nama", "satuan"])
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        template_frame().to_excel(xl, sheet_name="laporan", index=False)
        items.to_excel(xl, sheet_name="barang (petunjuk)", index=False)


def template_frame() -> pd.DataFrame:
    """An empty report with the columns members fill in (for the downloadable template)."""
    return pd.DataFrame(columns=REPORT_COLUMNS)


def save_site(
    store: Store,
    actor: Actor,
    *,
    id: str,
    nama: str,
    lon: float,
    lat: float,
    anggota_id: str | None = None,
    jenis: str | None = None,
    source: str = "lokasi",
) -> str:
    """Add a site, or move/rename an existing one; returns ``"baru"`` or ``"diubah"``."""
    too_long = [
        Problem(f"paling banyak {limit} karakter / at most {limit} characters", field=name)
        for name, value, limit in (("id", id, MAX_SITE_ID), ("nama", nama, MAX_SITE_NAME))
        if len(str(value)) > limit
    ]
    if too_long:
        raise ValidationError(source, too_long)
    owners = site_owners(store)
    existing_owner = owners.get(id)
    if existing_owner is not None:
        actor.require_member(existing_owner, f"lokasi {id}")
        if anggota_id and anggota_id != existing_owner:
            actor.require_member(anggota_id, f"anggota {anggota_id}")
        anggota_id = anggota_id or existing_owner
    else:
        anggota_id = anggota_id or actor.anggota_id
        if anggota_id is None:
            raise InputError("sebutkan anggota pemilik lokasi / name the member owning the site")
        actor.require_member(anggota_id, f"anggota {anggota_id}")
    frame = gpd.GeoDataFrame(
        {"id": [id], "anggota_id": [anggota_id], "nama": [nama], "jenis": [jenis]},
        geometry=[shapely.Point(lon, lat)],
        crs=4326,
    )
    src = Source(Path(source), frame, "baris", 1, CRS.from_epsg(4326), True)
    context = context_for(store)
    if existing_owner is not None:
        # moving: the key exists; validate as a new row against the other sites
        context.keys["lokasi"] = set(context.keys.get("lokasi", set())) - {id}
    checked = validate(src, schema_mod.get("lokasi"), context, mode="append").frame
    with store.transaction() as tx:
        if existing_owner is None:
            tx.append("lokasi", checked)
            action = "baru"
        else:
            tx.update(
                "lokasi", checked, key="id", columns=["anggota_id", "nama", "jenis", "geometry"]
            )
            action = "diubah"
        tx.audit(
            AuditEntry(
                now_utc(), actor.nama, actor.saluran, "lokasi", "lokasi", 1,
                {"id": id, "aksi": action, "lon": lon, "lat": lat, "nama": nama},
            )
        )  # fmt: skip
    return action


def stock_at(store: Store, when: dt.date | None = None) -> pd.DataFrame:
    """The stock per site and item as it stood at the end of ``when`` (None: now)."""
    from geo_klaster.analysis.stock import current_stock

    return current_stock(store.read("stok"), as_of=when)


SEKTOR = schema_mod.get("anggota").field("sektor").enum or ()  # the order pages list them in


def member_reports(
    anggota: pd.DataFrame,
    lokasi: pd.DataFrame,
    stok: pd.DataFrame,
    *,
    today: dt.date,
    period_days: int = 30,
    contacts: bool = False,
) -> pd.DataFrame:
    """Every member with its sector, site count, last report and staleness; stale first.

    Parameters
    ----------
    anggota, lokasi, stok
        The layers (schema columns). Only reports up to the end of ``today`` count.
    period_days
        A last report older than this many days, or none, makes the member stale.
    contacts
        Add the personal fields ``kontak`` and ``telepon`` ('' when missing): for
        signed-in readers only (UU 27/2022).

    Returns
    -------
    pandas.DataFrame
        ``id, nama, sektor, lokasi`` (number of sites), ``laporan_terakhir`` (UTC timestamp
        or NaT), ``usang`` (bool) [, ``kontak, telepon``]; stale first, then the oldest
        report, then by sector (:data:`SEKTOR` order) and name.
    """
    from geo_klaster.analysis.stock import last_report

    rep = last_report(stok, lokasi, anggota, today=today, periode_hari=period_days).set_index(
        "anggota_id"
    )
    ids = anggota["id"].astype(str)
    out = pd.DataFrame(
        {"id": ids, "nama": anggota["nama"].astype(str), "sektor": anggota["sektor"].astype(str)}
    )
    per_member = lokasi["anggota_id"].astype(str).value_counts()
    out["lokasi"] = out["id"].map(per_member).fillna(0).astype(int)
    out["laporan_terakhir"] = out["id"].map(rep["laporan_terakhir"])
    out["usang"] = out["id"].map(rep["usang"]).fillna(True).astype(bool)
    if contacts:
        for col in ("kontak", "telepon"):
            values = anggota[col] if col in anggota else pd.Series(None, index=anggota.index)
            out[col] = values.where(values.notna(), "").astype(str).to_numpy()
    order = {k: i for i, k in enumerate(SEKTOR)}
    out["_u"] = out["sektor"].map(order).fillna(len(order))
    out = out.sort_values(
        ["usang", "laporan_terakhir", "_u", "nama"],
        ascending=[False, True, True, True],
        na_position="first",
        kind="stable",
    )
    return out.drop(columns="_u").reset_index(drop=True)


def visible_contacts(table: pd.DataFrame, actor: Actor | None) -> pd.DataFrame:
    """Data minimisation (UU 27/2022) on a member table with ``kontak, telepon``.

    Everyone signed in sees every member's organisation, sector and sites; the contact
    person and phone only of the actor's own member, the coordinator of all. Anonymous
    people see none (the columns are dropped).

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``kontak_terlihat`` (bool) and the contacts blanked where it is False.
    """
    personal = [c for c in schema_mod.get("anggota").personal_fields if c in table.columns]
    if actor is None:
        return table.drop(columns=personal).assign(kontak_terlihat=False)
    own = table["id"].astype(str) == str(actor.anggota_id)
    seen = pd.Series(True, index=table.index) if actor.is_coordinator else own
    out = table.assign(kontak_terlihat=seen.to_numpy())
    for col in personal:
        out[col] = out[col].where(seen, "")
    return out


def report_day(ts: object) -> str:
    """A report time as ``YYYY-MM-DD`` (its UTC day); ``belum pernah`` (never) when missing."""
    if ts is None or pd.isna(ts):
        return "belum pernah"
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def members_by_sector(table: pd.DataFrame) -> pd.DataFrame:
    """Members and stale members per sector of a :func:`member_reports` table
    (index ``sektor``; columns ``anggota``, ``usang``)."""
    return table.groupby("sektor").agg(anggota=("id", "size"), usang=("usang", "sum"))


def stale_members(
    store: Store, *, today: dt.date | None = None, period_days: int = 30
) -> pd.DataFrame:
    """Members with their last report, stale ones (older than the period, or never) first.

    :func:`member_reports` of the store's layers, with the personal contact fields: show
    them to signed-in users only.
    """
    today = today or dt.date.today()
    anggota = store.read("anggota")
    if anggota.empty:
        raise NotFoundError("belum ada anggota / no members yet")
    return member_reports(
        anggota,
        store.read("lokasi"),
        store.read("stok"),
        today=today,
        period_days=period_days,
        contacts=True,
    )
