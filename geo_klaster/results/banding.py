"""Scenarios side by side: the contingency plan's floods, and an observed event against the plan.

A ``zona_banjir`` scenario is a plan scenario (``jenis = rencana``, a flood the *rencana
kontinjensi* prepares for) or an observed event (``jenis = kejadian``, with its ``waktu``).
:func:`compare` takes the :class:`~geo_klaster.analysis.pipeline.AnalysisResult` of two or more
scenarios and compares every later one with the first (the baseline ``A``):

- per scenario: at-risk kecamatan, displaced people, sites in the flood, shortfall per item;
  needs and shortfalls count the at-risk kecamatan (as the analysis summary does: those
  *di bawah ambang* are listed by the analysis but not allocated to);
- per kecamatan: the status change (``perubahan``: at risk in both, only in B — called out —,
  only in A, in neither) and the difference in displaced people;
- per kecamatan and item: the shortfall in A and in B and their difference (B − A);
- when one of the pair is a ``rencana`` and the other a ``kejadian``: what the plan missed —
  kecamatan at risk in the event that the plan did not flag, sites standing in the event's
  water that the plan allocated stock from, and that stock.

All quantities are in the item's catalogue unit; people in persons; areas as shares (0–1).
Tables are declared (names and columns) in :data:`geo_klaster.results.hasil.BANDING`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_klaster.analysis.pipeline import AnalysisResult, run_analysis
from geo_klaster.config import AnalysisConfig
from geo_klaster.errors import InputError, NotFoundError

JENIS = ("rencana", "kejadian")

#: Status change of a kecamatan from scenario A to scenario B (``perubahan``), in legend order.
PERUBAHAN = {
    "baru_berisiko": "berisiko di B, tidak di A",
    "tetap_berisiko": "berisiko di A dan B",
    "tidak_lagi": "berisiko di A, tidak di B",
    "aman": "tidak berisiko di keduanya",
}


def scenarios(zona: pd.DataFrame) -> pd.DataFrame:
    """The scenarios of a ``zona_banjir`` layer: ``skenario, jenis, waktu, zona, contoh``.

    ``jenis`` is the scenario's kind (missing = ``rencana``, the schema's default, e.g. in a
    store made before the field existed); ``waktu`` its latest time (UTC, naive; NaT when
    none); ``zona`` the number of zones; ``contoh`` whether it is an exercise scenario. By name.
    """
    cols = ["skenario", "jenis", "waktu", "zona", "contoh"]
    if zona is None or zona.empty or "skenario" not in zona:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    z = pd.DataFrame(zona.drop(columns="geometry", errors="ignore")).copy()
    z["jenis"] = (z["jenis"] if "jenis" in z else pd.Series(None, index=z.index)).fillna("rencana")
    z["waktu"] = pd.to_datetime(z["waktu"]) if "waktu" in z else pd.NaT
    z["contoh"] = z["contoh"].fillna(False).astype(bool) if "contoh" in z else False
    out = (
        z.dropna(subset=["skenario"])
        .groupby(z["skenario"].astype(str), sort=True)
        .agg(
            jenis=("jenis", "first"),
            waktu=("waktu", "max"),
            zona=("jenis", "size"),
            contoh=("contoh", "any"),
        )
    )
    return out.reset_index()[cols]


def latest_event(zona: pd.DataFrame) -> dict[str, object] | None:
    """The latest observed event (``jenis = kejadian``): ``skenario, waktu`` (UTC),
    ``waktu_wib`` (text) and the
    plan scenarios (``rencana``) it can be compared with; None when there is no event.

    Latest = greatest ``waktu``; events without a time come after those with one, by name.
    """
    s = scenarios(zona)
    events = s[s["jenis"] == "kejadian"]
    if events.empty:
        return None
    row = events.sort_values(["waktu", "skenario"], na_position="first").iloc[-1]
    waktu = row["waktu"]
    return {
        "skenario": str(row["skenario"]),
        "waktu": None if pd.isna(waktu) else pd.Timestamp(waktu).tz_localize("UTC"),
        "waktu_wib": waktu_wib(waktu),
        "rencana": [str(n) for n in s.loc[s["jenis"] == "rencana", "skenario"]],
    }


def check_names(names: Sequence[str], zona: pd.DataFrame) -> list[str]:
    """The scenario names to compare, checked: at least two distinct, all known.

    Raises
    ------
    InputError
        Fewer than two distinct names (exit 2 / HTTP 400).
    NotFoundError
        A name not in ``zona_banjir``; the message lists the known ones (exit 2 / HTTP 400).
    """
    known = list(scenarios(zona)["skenario"])
    wanted = list(dict.fromkeys(str(n) for n in names))
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise UnknownScenario(
            f"skenario tidak dikenal / unknown scenario: {', '.join(unknown)}; "
            f"yang ada / known: {', '.join(known) or '(tidak ada)'}"
        )
    if len(wanted) < 2:
        raise InputError(
            "banding butuh dua skenario atau lebih / comparing needs two scenarios: "
            "--skenario A --skenario B (yang ada / known: " + ", ".join(known) + ")"
        )
    return wanted


class UnknownScenario(NotFoundError):
    """A scenario name not in ``zona_banjir`` (bad input: exit 2)."""

    exit_code = 2


@dataclass
class Banding:
    """The comparison of scenarios (baseline ``A`` = the first, each other one is ``B``).

    Attributes (column lists in :data:`geo_klaster.results.hasil.BANDING`)
    ----------
    ringkasan
        One row per scenario: kind, time, at-risk kecamatan, displaced people, sites in the
        flood, sites whose stock is unavailable.
    barang
        Per scenario and item: need, allocated and shortfall (catalogue unit).
    kecamatan
        Per pair and kecamatan: at risk in A / B, flooded share, displaced people, change.
    gap
        Per pair, kecamatan and item: shortfall in A and B and ``selisih`` (B − A).
    lokasi
        Plan against event: sites in the event's water that the plan allocated from.
    alokasi
        Plan against event: the plan's allocation lines from those sites.
    """

    skenario: list[str]
    jenis: dict[str, str]
    waktu: dict[str, pd.Timestamp | None]
    ringkasan: pd.DataFrame
    barang: pd.DataFrame
    kecamatan: pd.DataFrame
    gap: pd.DataFrame
    lokasi: pd.DataFrame
    alokasi: pd.DataFrame
    geom_kecamatan: gpd.GeoSeries  # by kode, EPSG:4326
    geom_lokasi: gpd.GeoSeries  # by lokasi_id, EPSG:4326
    zona: dict[str, gpd.GeoDataFrame]  # each scenario's flood zones, EPSG:4326

    def pairs(self) -> list[tuple[str, str]]:
        """The compared pairs (A, B)."""
        a = self.skenario[0]
        return [(a, b) for b in self.skenario[1:]]

    def missed(self, a: str, b: str) -> pd.DataFrame:
        """Plan against event: kecamatan at risk in the event that the plan did not flag."""
        k = self.kecamatan
        k = k[(k["skenario_a"] == a) & (k["skenario_b"] == b)]
        rencana, kejadian = _plan_event(self.jenis, a, b)
        if rencana is None:
            return k.iloc[:0]
        col = "baru_berisiko" if kejadian == b else "tidak_lagi"
        return k[k["perubahan"] == col]


def _plan_event(jenis: dict[str, str], a: str, b: str) -> tuple[str | None, str | None]:
    kinds = {jenis.get(a, "rencana"): a, jenis.get(b, "rencana"): b}
    if set(kinds) == set(JENIS):
        return kinds["rencana"], kinds["kejadian"]
    return None, None


def _round(values: pd.Series, decimals: int = 6) -> pd.Series:
    """Rounded, with no ``-0`` (solver noise below 1e-6 becomes 0)."""
    out = values.astype("float64").round(decimals)
    return out.mask(out == 0, 0.0)


def _gap_at_risk(r: AnalysisResult) -> pd.DataFrame:
    """Gap rows of the at-risk kecamatan (those the allocation serves; rows *di bawah
    ambang* are listed by the analysis but not allocated to), as the summary counts them."""
    g = r.gap
    return g[g["berisiko"].astype(bool)] if "berisiko" in g else g


def _summary(r: AnalysisResult, jenis: str, waktu: pd.Timestamp | None) -> dict[str, object]:
    risk = r.kecamatan[r.kecamatan["berisiko"].astype(bool)]
    gap = _gap_at_risk(r)
    kelas = r.lokasi["kelas_banjir"].fillna("").astype(str)
    return {
        "skenario": r.skenario,
        "jenis": jenis,
        "waktu": waktu,
        "kecamatan_berisiko": len(risk),
        "pengungsi": round(float(risk["pengungsi"].sum(min_count=1)), 1),
        "pengungsi_tidak_diketahui": int(risk["pengungsi"].isna().sum()),
        "lokasi_banjir": int((kelas != "").sum()),
        "lokasi_tidak_tersedia": int((r.lokasi["status_stok"] == "tidak_tersedia").sum()),
        "kekurangan_barang": int((gap["kekurangan"] > 1e-6).groupby(gap["barang"]).any().sum()),
    }


def _per_item(r: AnalysisResult) -> pd.DataFrame:
    g = (
        _gap_at_risk(r)
        .groupby(["barang", "satuan"], as_index=False)[["kebutuhan", "teralokasi", "kekurangan"]]
        .sum(min_count=1)
        .assign(skenario=r.skenario)
    )
    for c in ("kebutuhan", "teralokasi", "kekurangan"):
        g[c] = _round(g[c])
    return g[["skenario", "barang", "satuan", "kebutuhan", "teralokasi", "kekurangan"]]


def _kecamatan_pair(a: AnalysisResult, b: AnalysisResult) -> pd.DataFrame:
    cols = ["kode", "nama", "berisiko", "porsi_banjir", "pengungsi"]
    ka = pd.DataFrame(a.kecamatan[cols])
    kb = pd.DataFrame(b.kecamatan[cols]).drop(columns="nama")
    k = ka.merge(kb, on="kode", how="outer", suffixes=("_a", "_b"))
    ra = k["berisiko_a"].fillna(False).astype(bool)
    rb = k["berisiko_b"].fillna(False).astype(bool)
    k["berisiko_a"], k["berisiko_b"] = ra, rb
    k["perubahan"] = np.select(
        [rb & ~ra, ra & rb, ra & ~rb], ["baru_berisiko", "tetap_berisiko", "tidak_lagi"], "aman"
    )
    # displaced people count where the kecamatan is at risk (as the summary counts them)
    pa = k["pengungsi_a"].where(ra, 0.0)
    pb = k["pengungsi_b"].where(rb, 0.0)
    k["pengungsi_a"], k["pengungsi_b"] = _round(pa, 1), _round(pb, 1)
    k["selisih_pengungsi"] = _round(pb - pa, 1)
    for c in ("porsi_banjir_a", "porsi_banjir_b"):
        k[c] = _round(k[c].fillna(0.0))
    k.insert(0, "skenario_b", b.skenario)
    k.insert(0, "skenario_a", a.skenario)
    order = list(PERUBAHAN)
    k["_o"] = k["perubahan"].map(order.index)
    return k.sort_values(["_o", "kode"]).drop(columns="_o").reset_index(drop=True)


def _gap_pair(a: AnalysisResult, b: AnalysisResult) -> pd.DataFrame:
    key = ["kode", "barang", "satuan"]
    ga = _gap_at_risk(a)[[*key, "kebutuhan", "kekurangan"]]
    gb = _gap_at_risk(b)[[*key, "kebutuhan", "kekurangan"]]
    g = ga.merge(gb, on=key, how="outer", suffixes=("_a", "_b"))
    for c in ("kebutuhan_a", "kebutuhan_b", "kekurangan_a", "kekurangan_b"):
        g[c] = _round(g[c].fillna(0.0))
    g["selisih"] = _round(g["kekurangan_b"] - g["kekurangan_a"])
    names = pd.concat([a.kecamatan[["kode", "nama"]], b.kecamatan[["kode", "nama"]]])
    g.insert(1, "nama", g["kode"].map(names.drop_duplicates("kode").set_index("kode")["nama"]))
    g = g[(g["kebutuhan_a"] > 0) | (g["kebutuhan_b"] > 0)]
    g.insert(0, "skenario_b", b.skenario)
    g.insert(0, "skenario_a", a.skenario)
    return g.sort_values(["kode", "barang"]).reset_index(drop=True)


def _missed_sites(plan: AnalysisResult, event: AnalysisResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sites in the event's water that the plan allocated stock from, and those lines."""
    ev = pd.DataFrame(
        event.lokasi[["lokasi_id", "nama", "anggota_id", "kelas_banjir", "status_stok"]]
    )
    ev = ev[ev["kelas_banjir"].fillna("").astype(str) != ""]
    alok = pd.DataFrame(plan.alokasi.drop(columns="geometry"))
    alok = alok[alok["lokasi_id"].isin(ev["lokasi_id"]) & (alok["jumlah"] > 0)]
    alok = alok.merge(
        ev[["lokasi_id", "kelas_banjir", "status_stok"]].rename(
            columns={"kelas_banjir": "kelas_kejadian", "status_stok": "status_kejadian"}
        ),
        on="lokasi_id",
    )
    alok.insert(0, "kejadian", event.skenario)
    alok.insert(0, "rencana", plan.skenario)
    alok = alok[
        ["rencana", "kejadian", "lokasi_id", "anggota_id", "kode", "barang", "jumlah", "satuan",
         "jarak_m", "kelas_kejadian", "status_kejadian"]
    ].sort_values(["lokasi_id", "barang", "kode"]).reset_index(drop=True)  # fmt: skip
    counted = ev[ev["lokasi_id"].isin(alok["lokasi_id"])]
    pl = plan.lokasi.set_index("lokasi_id")
    lines = alok.groupby("lokasi_id").size()
    sites = pd.DataFrame(
        {
            "rencana": plan.skenario,
            "kejadian": event.skenario,
            "lokasi_id": counted["lokasi_id"].to_numpy(),
            "nama": counted["nama"].to_numpy(),
            "anggota_id": counted["anggota_id"].to_numpy(),
            "kelas_rencana": counted["lokasi_id"].map(pl["kelas_banjir"]).fillna("").to_numpy(),
            "kelas_kejadian": counted["kelas_banjir"].to_numpy(),
            "status_kejadian": counted["status_stok"].to_numpy(),
            "baris_alokasi": counted["lokasi_id"].map(lines).fillna(0).astype(int).to_numpy(),
        }
    )
    return sites.sort_values("lokasi_id").reset_index(drop=True), alok


def compare(
    results: Sequence[AnalysisResult],
    *,
    jenis: dict[str, str] | None = None,
    waktu: dict[str, pd.Timestamp | None] | None = None,
) -> Banding:
    """Compare scenarios: every result after the first against the first.

    Parameters
    ----------
    results
        Analyses of two or more distinct scenarios of the same layers and settings.
    jenis, waktu
        Per scenario name: ``rencana``/``kejadian`` (missing = ``rencana``) and its time (UTC).

    Returns
    -------
    Banding
        The tables; quantities in catalogue units, people in persons.
    """
    if len(results) < 2:
        raise InputError("banding butuh dua skenario atau lebih / comparing needs two scenarios")
    jenis = {r.skenario: (jenis or {}).get(r.skenario, "rencana") for r in results}
    waktu = {r.skenario: (waktu or {}).get(r.skenario) for r in results}
    a = results[0]
    ring = pd.DataFrame([_summary(r, jenis[r.skenario], waktu[r.skenario]) for r in results])
    barang = pd.concat([_per_item(r) for r in results], ignore_index=True)
    kec = pd.concat([_kecamatan_pair(a, b) for b in results[1:]], ignore_index=True)
    gap = pd.concat([_gap_pair(a, b) for b in results[1:]], ignore_index=True)
    sites, lines = [], []
    for b in results[1:]:
        plan, event = _plan_event(jenis, a.skenario, b.skenario)
        if plan is None:
            continue
        by = {a.skenario: a, b.skenario: b}
        s, al = _missed_sites(by[plan], by[event])  # type: ignore[index]
        sites.append(s)
        lines.append(al)
    empty_sites, empty_lines = _missed_sites(a, a)
    return Banding(
        skenario=[r.skenario for r in results],
        jenis=jenis,
        waktu=waktu,
        ringkasan=ring,
        barang=barang,
        kecamatan=kec,
        gap=gap,
        lokasi=pd.concat(sites, ignore_index=True) if sites else empty_sites.iloc[:0],
        alokasi=pd.concat(lines, ignore_index=True) if lines else empty_lines.iloc[:0],
        geom_kecamatan=a.kecamatan.set_index("kode").geometry,
        geom_lokasi=a.lokasi.set_index("lokasi_id").geometry,
        zona={r.skenario: r.zona for r in results},
    )


def compare_layers(
    layers: Mapping[str, pd.DataFrame],
    names: Sequence[str],
    *,
    config: AnalysisConfig | None = None,
    today: dt.date | None = None,
    jarak_km: float | None = None,
    hari: int | None = None,
    jangkauan: str = "garis",
    menit: float | None = None,
) -> Banding:
    """Check ``names`` (:func:`check_names`), analyse each scenario with the same settings
    (:func:`~geo_klaster.analysis.pipeline.run_analysis`: reach in a straight line, ``jarak_km``
    kilometres, or on roads, ``menit`` minutes) and :func:`compare` them."""
    zona = layers["zona_banjir"] if "zona_banjir" in layers else pd.DataFrame()
    wanted = check_names(names, zona)
    results = [
        run_analysis(
            layers,
            skenario=n,
            config=config,
            today=today,
            jarak_km=jarak_km,
            hari=hari,
            jangkauan=jangkauan,
            menit=menit,
        )
        for n in wanted
    ]
    return compare_scenarios(results, zona)


def compare_scenarios(results: Sequence[AnalysisResult], zona: pd.DataFrame) -> Banding:
    """:func:`compare` with each scenario's ``jenis`` and ``waktu`` taken from the
    ``zona_banjir`` layer the results were computed from."""
    info = scenarios(zona).set_index("skenario")
    names = [r.skenario for r in results]
    return compare(
        results,
        jenis={n: str(info.at[n, "jenis"]) for n in names},
        waktu={n: utc(info.at[n, "waktu"]) for n in names},
    )


def utc(value: object) -> pd.Timestamp | None:
    """A stored time (naive UTC) as an aware UTC timestamp; None when missing."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).tz_localize("UTC")


def write_banding(banding: Banding, out_dir: str | Path, zona: str | None = None) -> list[Path]:
    """Write every table of :data:`geo_klaster.results.hasil.BANDING` into ``out_dir`` (created if
    needed): formula-safe UTF-8 CSV, RFC 7946 GeoJSON (EPSG:4326), times with the offset of
    ``zona`` (None = WIB). Returns the files."""
    from geo_klaster.results import hasil
    from geo_klaster.results.geojson import dumps
    from geo_klaster.results.outputs import csv_bytes

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, t in hasil.BANDING.items():
        table = hasil.banding_table(banding, name)
        path = out / str(t.file)
        path.write_bytes(dumps(table, zona=zona) if t.geometry else csv_bytes(table, zona))
        written.append(path)
    return written


def _people(value: float) -> str:
    if not np.isfinite(value):
        return "tidak diketahui"
    return f"{value:,.0f}".replace(",", ".") + " jiwa"


def format_banding(banding: Banding) -> str:
    """The summary ``banding`` prints: per scenario, then per pair what changed and, for a
    plan against an event, what the plan missed."""
    lines = ["Banding skenario / scenario comparison"]
    for row in banding.ringkasan.itertuples(index=False):
        when = "" if row.waktu is None or pd.isna(row.waktu) else f", {_wib(row.waktu)}"
        lines.append(
            f"  {row.skenario} ({row.jenis}{when}): {row.kecamatan_berisiko} kecamatan berisiko, "
            f"pengungsi {_people(row.pengungsi)}, {row.lokasi_banjir} lokasi di zona banjir, "
            f"{row.kekurangan_barang} barang kurang"
        )
    for a, b in banding.pairs():
        k = banding.kecamatan[
            (banding.kecamatan["skenario_a"] == a) & (banding.kecamatan["skenario_b"] == b)
        ]
        new = k[k["perubahan"] == "baru_berisiko"]
        gone = k[k["perubahan"] == "tidak_lagi"]
        lines.append(f"\n{b} dibanding {a}:")
        lines.append(
            f"  Berisiko di {b} tetapi tidak di {a}: {len(new)}"
            + (f" — {', '.join(new['nama'].astype(str))}" if len(new) else "")
        )
        lines.append(f"  Berisiko di {a} tetapi tidak di {b}: {len(gone)}")
        plan, event = _plan_event(banding.jenis, a, b)
        if plan is None:
            continue
        missed = banding.missed(a, b)
        lines.append(
            f"  Rencana {plan} melawan kejadian {event} — yang terlewat / missed by the plan:"
        )
        lines.append(
            f"    kecamatan berisiko saat kejadian, tidak ditandai rencana: {len(missed)}"
            + (f" — {', '.join(missed['nama'].astype(str))}" if len(missed) else "")
        )
        sites = banding.lokasi[
            (banding.lokasi["rencana"] == plan) & (banding.lokasi["kejadian"] == event)
        ]
        lines.append(f"    lokasi tergenang yang diandalkan rencana: {len(sites)}")
        alok = banding.alokasi[
            (banding.alokasi["rencana"] == plan) & (banding.alokasi["kejadian"] == event)
        ]
        for (item, unit), qty in alok.groupby(["barang", "satuan"])["jumlah"].sum().items():
            lines.append(
                f"      stok {item}: {qty:,.1f} {unit}".replace(",", "_")
                .replace(".", ",")
                .replace("_", ".")
            )
    return "\n".join(lines)


WIB = "Asia/Jakarta"


def _wib(value: pd.Timestamp) -> str:
    """A UTC time as Western Indonesia Time (WIB, UTC+7): ``2007-02-02 07:00 WIB``."""
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(WIB).strftime("%Y-%m-%d %H:%M WIB")


def waktu_wib(value: object) -> str:
    """A time (UTC; naive means UTC) as Western Indonesia Time: ``2007-02-02 07:00 WIB``;
    an empty string when missing."""
    if value is None or pd.isna(value):
        return ""
    return _wib(pd.Timestamp(value))


TABEL = {name.removeprefix("banding_"): name for name in ("banding_ringkasan", "banding_barang",
         "banding_kecamatan", "banding_gap", "banding_lokasi", "banding_alokasi")}  # fmt: skip


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as plain dicts (numpy scalars as Python values, NaN as None)."""
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {
                k: (None if isinstance(v, float) and not np.isfinite(v) else
                    v.item() if isinstance(v, np.generic) else v)
                for k, v in row.items()
            }
        )  # fmt: skip
    return out


def page_tables(banding: Banding, a: str, b: str, *, gap_rows: int = 50) -> dict[str, object]:
    """What the comparison page shows for the pair (``a``, ``b``), as plain rows.

    ``ringkasan`` (per scenario, with ``waktu_wib``), ``berubah`` (kecamatan whose status
    changes, at risk in B but not A first), ``barang`` (per item: shortfall in A and B and
    the difference, catalogue unit), ``gap`` (the ``gap_rows`` kecamatan × item rows whose
    shortfall differs most, of ``n_gap`` differing by more than 1e-6), ``rencana``/``kejadian`` (names, when the pair is a plan against an
    event, else None), ``terlewat`` (kecamatan the plan missed), ``lokasi`` (wet sites the
    plan counted on) and ``stok`` (their allocated stock per item).
    """
    ring = banding.ringkasan.assign(waktu_wib=[waktu_wib(w) for w in banding.ringkasan["waktu"]])
    k = banding.kecamatan
    k = k[(k["skenario_a"] == a) & (k["skenario_b"] == b)]
    berubah = k[k["perubahan"].isin(["baru_berisiko", "tidak_lagi"])]
    per_a = banding.barang[banding.barang["skenario"] == a].set_index(["barang", "satuan"])
    per_b = banding.barang[banding.barang["skenario"] == b].set_index(["barang", "satuan"])
    items = per_a.index.union(per_b.index)
    ka = per_a["kekurangan"].reindex(items).fillna(0.0)
    kb = per_b["kekurangan"].reindex(items).fillna(0.0)
    barang = pd.DataFrame(
        {"kekurangan_a": ka.to_numpy(), "kekurangan_b": kb.to_numpy(),
         "selisih": _round(kb - ka).to_numpy()},
        index=items,
    ).reset_index()  # fmt: skip
    g = banding.gap
    g = g[(g["skenario_a"] == a) & (g["skenario_b"] == b) & (g["selisih"].abs() > 1e-6)]
    n_gap = len(g)
    g = g.loc[g["selisih"].abs().sort_values(ascending=False, kind="stable").index[:gap_rows]]
    rencana, kejadian = _plan_event(banding.jenis, a, b)
    lokasi = banding.lokasi.iloc[:0]
    stok = pd.DataFrame(columns=["barang", "satuan", "jumlah"])
    if rencana is not None:
        lokasi = banding.lokasi[
            (banding.lokasi["rencana"] == rencana) & (banding.lokasi["kejadian"] == kejadian)
        ]
        al = banding.alokasi[
            (banding.alokasi["rencana"] == rencana) & (banding.alokasi["kejadian"] == kejadian)
        ]
        stok = al.groupby(["barang", "satuan"], as_index=False)["jumlah"].sum()
    return {
        "ringkasan": _records(ring),
        "berubah": _records(berubah),
        "n_baru": int((k["perubahan"] == "baru_berisiko").sum()),
        "n_tidak_lagi": int((k["perubahan"] == "tidak_lagi").sum()),
        "barang": _records(barang),
        "gap": _records(g),
        "n_gap": n_gap,
        "rencana": rencana,
        "kejadian": kejadian,
        "terlewat": _records(banding.missed(a, b)),
        "lokasi": _records(lokasi),
        "stok": _records(stok),
    }
