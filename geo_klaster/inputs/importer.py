"""Importing a file into a store layer: read, validate, write in one transaction.

Modes (``--mode``):

- ``replace`` (default except for ``stok``): the file becomes the layer. Refused when rows of
  other layers would refer to keys the file no longer has. For ``zona_banjir`` only the
  scenarios present in the file are replaced; other scenarios stay.
- ``append`` (default and only write mode for ``stok``, which is history): rows are added;
  a key that is already stored is refused.
- ``update``: sets attributes of existing features joined on the key (e.g. ``penduduk`` from
  a population table). Columns the layer lacks are ignored and listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely
from pyproj import CRS

from geo_klaster import schema as schema_mod
from geo_klaster.actor import Actor, cli_actor, now_utc
from geo_klaster.barang import barang_bulat
from geo_klaster.errors import InputError, Problem, ValidationError
from geo_klaster.inputs.io import RASTER_SUFFIXES, Source, read_source
from geo_klaster.inputs.validate import Context, Validated, check_constant, validate
from geo_klaster.store import Store
from geo_klaster.store.base import AuditEntry

MODES = ("replace", "append", "update")


@dataclass
class ImportReport:
    layer: str
    source: str
    mode: str
    rows: int
    ignored: list[str] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)
    replaced: int = 0
    notes: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = {"replace": "diganti", "append": "ditambahkan", "update": "diperbarui"}[self.mode]
        out = [f"{self.layer}: {self.rows} baris {verb} dari {self.source} (mode {self.mode})"]
        if self.replaced:
            out.append(f"  {self.replaced} baris lama dihapus")
        if self.ignored:
            out.append(
                "  kolom diabaikan (tidak ada di lapisan) / ignored columns: "
                + ", ".join(self.ignored)
            )
        if self.fixed:
            shown = ", ".join(map(str, self.fixed[:20]))
            more = f" (+{len(self.fixed) - 20} lagi)" if len(self.fixed) > 20 else ""
            out.append(f"  geometri diperbaiki (--fix) pada {len(self.fixed)} fitur: {shown}{more}")
        if self.constants:
            shown = ", ".join(f"{k}={v}" for k, v in self.constants.items())
            out.append(f"  kolom diisi tetap (--nilai) / constant columns: {shown}")
        out.extend(f"  {note}" for note in self.notes)
        return out


def default_mode(layer: str) -> str:
    return "append" if layer == "stok" else "replace"


def context_for(store: Store, today: pd.Timestamp | None = None) -> Context:
    """Existing keys of every keyed layer and the catalogue units."""
    keys: dict[str, set[str]] = {}
    units: dict[str, str] = {}
    bulat: frozenset[str] = frozenset()
    if store.exists():
        for sch in schema_mod.schemas().values():
            if sch.key:
                keys[sch.name] = {str(v) for v in store.distinct(sch.name, sch.key)}
        barang = store.read("barang")
        units = dict(zip(barang["kode"], barang["satuan"], strict=True))
        bulat = frozenset(barang_bulat(barang))
    return Context(keys=keys, units=units, bulat=bulat, today=today)


def check_mode(layer: str, mode: str) -> None:
    sch = schema_mod.get(layer)
    if mode not in MODES:
        raise InputError(f"--mode: mode tidak dikenal '{mode}'; pilihan: {', '.join(MODES)}")
    if layer == "stok" and mode != "append":
        raise InputError(
            "--mode: stok adalah riwayat, hanya bisa ditambah (append) / stock is append-only "
            "history; replace and update are refused"
        )
    if mode == "update" and not sch.key:
        raise InputError(
            f"--mode update: lapisan {layer} tidak punya kunci / has no key to join on"
        )


def import_file(
    store: Store,
    layer: str,
    path: str | Path,
    *,
    source_layer: str | None = None,
    crs: CRS | None = None,
    mapping: dict[str, str] | None = None,
    mode: str | None = None,
    fix: bool = False,
    skenario: str | None = None,
    thresholds: tuple[float, float] | None = None,
    constants: dict[str, str] | None = None,
    value_maps: dict[str, dict[str, str]] | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    actor: Actor | None = None,
) -> ImportReport:
    """Import ``path`` into ``layer`` of ``store``; nothing is written unless all is valid.

    ``constants`` (``--nilai KOLOM=NILAI``) fills a column with one value for every row,
    replacing a same-named column of the file, e.g. ``kelas=tinggi`` for a wet/dry flood
    layer that has no hazard class. Each value is checked once against the layer's schema.
    ``value_maps`` (``--map-nilai KOLOM:SUMBER=TUJUAN,...``) replaces values of a column (named
    as after ``mapping``; values compared as text), e.g. PetaBencana depth states 1..4 to
    classes. ``decimal`` (``--desimal koma|titik``) and ``sheet`` (``--sheet``) are passed to
    :func:`~geo_klaster.inputs.io.read_source`.
    """
    sch = schema_mod.get(layer)
    mode = mode or default_mode(layer)
    check_mode(layer, mode)
    constants = dict(constants or {})
    _check_constants(sch, constants, mapping or {}, skenario)
    p = Path(path)
    if p.suffix.lower() in RASTER_SUFFIXES and layer == "zona_banjir":
        src = _raster_source(p, crs, skenario, thresholds)
    else:
        src = read_source(
            p, sch, source_layer=source_layer, crs=crs, mapping=mapping,
            geometry=mode != "update", value_maps=value_maps, decimal=decimal, sheet=sheet,
        )  # fmt: skip
        if layer == "zona_banjir" and skenario:
            src.frame = src.frame.assign(skenario=skenario)
    if constants:
        src.frame = src.frame.assign(**constants)
    context = context_for(store)
    checked = validate(src, sch, context, mode=mode, fix=fix)
    if layer == "jalan" and mode != "update":
        _refuse_roads_outside(store, checked.frame, src.name)
    report = write_validated(store, layer, checked, mode=mode, source=src.name, actor=actor)
    report.constants = constants
    return report


def _check_constants(
    sch: schema_mod.LayerSchema,
    constants: dict[str, str],
    mapping: dict[str, str],
    skenario: str | None,
) -> None:
    problems: list[Problem] = []
    mapped = set(mapping.values())
    for name, value in constants.items():
        why = check_constant(sch, name, value)
        if why is None and name in mapped:
            why = "kolom ini juga tujuan --map / also a --map target: pilih salah satu"
        if why is None and name == "skenario" and skenario and sch.name == "zona_banjir":
            why = "skenario sudah diberikan dengan --skenario / given by --skenario too"
        if why is not None:
            problems.append(Problem(f"--nilai {name}={value}: {why}", field=name))
    if problems:
        raise ValidationError("--nilai", problems)


def write_validated(
    store: Store,
    layer: str,
    checked: Validated,
    *,
    mode: str,
    source: str,
    actor: Actor | None = None,
) -> ImportReport:
    """Write a validated frame in one transaction (checking dangling references first).

    Only the coordinator imports whole layers (the CLI's actor is one); a ``stok`` file keeps
    its own ``dilaporkan`` dates (history brought in from elsewhere), unlike a member's
    report, which the server stamps (:func:`geo_klaster.members.reports.submit_report`).
    """
    actor = actor or cli_actor()
    actor.require_coordinator(f"impor {layer}")
    sch = schema_mod.get(layer)
    frame = checked.frame
    report = ImportReport(
        layer, source, mode, len(frame), checked.ignored, checked.fixed, notes=checked.notes
    )
    if mode == "replace":
        _refuse_dangling(store, layer, frame, source)
    with store.transaction() as tx:
        if mode == "replace":
            if layer == "zona_banjir":
                scen = sorted(set(frame["skenario"]))
                report.replaced = tx.delete(layer, field="skenario", values=scen)
            else:
                report.replaced = tx.delete(layer)
            tx.append(layer, frame)
        elif mode == "append":
            tx.append(layer, frame)
        else:
            assert sch.key is not None
            cols = [c for c in frame.columns if c != sch.key]
            if not cols:
                raise InputError(
                    f"{source}: tidak ada kolom untuk diperbarui / no column to update "
                    f"(kolom lapisan {layer}: {', '.join(sch.field_names)})"
                )
            tx.update(layer, frame, key=sch.key, columns=cols)
        tx.set_meta("demo", "0")  # the store now holds someone's own data
        tx.audit(
            AuditEntry(
                now_utc(), actor.nama, actor.saluran, "impor", layer, len(frame),
                {"sumber": source, "mode": mode, "diganti": report.replaced, **ignored_summary(checked.ignored)},
            )
        )  # fmt: skip
    return report


AUDIT_IGNORED_MAX = 20  # ignored column names kept in an audit entry


def ignored_summary(ignored: list[str]) -> dict[str, object]:
    """Ignored columns for the audit: the first AUDIT_IGNORED_MAX names (each cut at 60
    characters) and their count, so a file with thousands of columns cannot bloat the log."""
    shown = [str(c)[:60] for c in ignored[:AUDIT_IGNORED_MAX]]
    out: dict[str, object] = {"diabaikan": shown}
    if len(ignored) > AUDIT_IGNORED_MAX:
        out["diabaikan_jumlah"] = len(ignored)
    return out


def _refuse_dangling(store: Store, layer: str, frame: pd.DataFrame, source: str) -> None:
    sch = schema_mod.get(layer)
    if not sch.key or not store.exists():
        return
    new_keys = {str(v) for v in frame[sch.key]}
    problems: list[Problem] = []
    for dep, fspec in schema_mod.dependents(layer):
        used = {str(v) for v in store.distinct(dep.name, fspec.name)}
        missing = sorted(used - new_keys)
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            problems.append(
                Problem(
                    f"mengganti {layer} akan memutus {len(missing)} rujukan dari lapisan "
                    f"{dep.name}.{fspec.name} ({shown}) / replace would leave references dangling; "
                    "sertakan kunci itu atau gunakan --mode append/update",
                    field=sch.key,
                )
            )
    if problems:
        raise ValidationError(source, problems)


def _refuse_roads_outside(store: Store, frame: pd.DataFrame, source: str) -> None:
    """Refuse a road file none of whose lines meets the regency (the ``kecamatan`` layer)."""
    kec = store.read("kecamatan") if store.exists() else None
    if kec is None or kec.empty:
        raise ValidationError(
            source,
            [Problem("impor kecamatan dulu: jalan diperiksa terhadap wilayahnya / import the "
                     "kecamatan first: roads are checked against the regency", field="geometry")],
        )  # fmt: skip
    lines = frame.geometry.to_numpy()
    hits, _ = shapely.STRtree(kec.geometry.to_numpy()).query(lines, predicate="intersects")
    if len(hits):
        return
    b = shapely.bounds(frame.geometry.to_numpy())
    where = (
        f"bujur {b[:, 0].min():.4f}..{b[:, 2].max():.4f}, "
        f"lintang {b[:, 1].min():.4f}..{b[:, 3].max():.4f}"
    )
    raise ValidationError(
        source,
        [Problem(f"tidak ada garis jalan di dalam wilayah (kecamatan) / no road line inside the "
                 f"regency ({len(frame)} garis, {where})", field="geometry")],
    )  # fmt: skip


def _raster_source(
    p: Path, crs: CRS | None, skenario: str | None, thresholds: tuple[float, float] | None
) -> Source:
    from geo_klaster.inputs.hazard import zones_from_hazard_raster

    kwargs: dict[str, object] = {"skenario": skenario or p.stem}
    if thresholds is not None:
        kwargs["thresholds"] = thresholds
    if crs is not None:
        kwargs["crs"] = crs.to_string()
    zones = zones_from_hazard_raster(p, **kwargs)  # type: ignore[arg-type]
    if zones.empty:
        raise InputError(
            f"{p.name}: raster tidak berisi bahaya (semua 0/nodata) / no hazard pixels"
        )
    return Source(p, zones, "fitur", 1, CRS.from_epsg(4326), True)


def parse_thresholds(text: str | None) -> tuple[float, float] | None:
    """``"0.33,0.66"`` -> (0.33, 0.66), checked 0 < t1 < t2 < 1."""
    if text is None:
        return None
    try:
        t1, t2 = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(
            f"--ambang: harus dua angka 'RENDAH_SEDANG,SEDANG_TINGGI', bukan '{text}'"
        ) from None
    if not 0 < t1 < t2 < 1:
        raise InputError(f"--ambang: harus 0 < {t1} < {t2} < 1")
    return (t1, t2)


def layers_in_order(names: Sequence[str]) -> list[str]:
    """Layers sorted so that referenced layers come before those that refer to them."""
    order = ["barang", "kecamatan", "desa", "zona_banjir", "jalan", "anggota", "lokasi", "stok"]
    return sorted(names, key=order.index)
