"""The ``geo-klaster`` command line.

Every command takes ``--store PATH`` — a GeoPackage file or a ``postgresql://`` URL (else
$GEO_KLASTER_STORE, else ``./klaster.gpkg``).
User errors print one clear message to stderr and exit non-zero (2 for bad input, 1 for the
rest); nothing is written when a command fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from geo_klaster import __version__
from geo_klaster import schema as schema_mod
from geo_klaster.errors import KlasterError
from geo_klaster.store import ENV_VAR, open_store, resolve_location

if TYPE_CHECKING:
    from geo_klaster.config import AnalysisConfig


def _store_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--store",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"berkas GeoPackage atau URL postgresql://... (default: ${ENV_VAR}, lalu ./klaster.gpkg)",
    )
    return parent


ENTRY_POINTS = "geo_klaster.perintah"  # commands other packages add (the web's `serve`)
Handler = Callable[[argparse.Namespace, str], int]


def _plugins(
    sub: argparse._SubParsersAction, parent: argparse.ArgumentParser
) -> dict[str, Handler]:
    """Commands declared in the entry-point group :data:`ENTRY_POINTS`.

    Each entry point is a function ``register(sub, parent) -> handler`` that adds its
    subparser; a command whose package cannot be loaded is left out, with a note on stderr.
    """
    handlers: dict[str, Handler] = {}
    for ep in sorted(entry_points(group=ENTRY_POINTS), key=lambda e: e.name):
        if ep.name in handlers or ep.name in sub.choices:
            continue
        try:
            register = ep.load()
        except ImportError as exc:
            print(f"perintah '{ep.name}' tidak tersedia / unavailable: {exc}", file=sys.stderr)
            continue
        handlers[ep.name] = register(sub, parent)
    return handlers


def build_parser() -> argparse.ArgumentParser:
    parent = _store_parent()
    parser = argparse.ArgumentParser(
        prog="geo-klaster",
        description="geo_klaster: stok, zona banjir, jangkauan dan kesenjangan klaster logistik.",
        parents=[parent],
    )
    parser.add_argument("--version", action="version", version=f"geo_klaster {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    sub.add_parser("init", parents=[parent], help="buat penyimpanan kosong / create an empty store")

    p = sub.add_parser("import", parents=[parent], help="impor berkas ke lapisan / import a file")
    p.add_argument("layer", metavar="LAYER", help="lapisan: " + ", ".join(schema_mod.layer_names()))
    p.add_argument(
        "file",
        metavar="FILE",
        help="GeoJSON, GeoPackage, Shapefile (.shp/.zip), CSV, XLSX, GeoTIFF",
    )
    p.add_argument("--layer", dest="source_layer", metavar="NAME", help="lapisan di dalam berkas")
    p.add_argument("--crs", metavar="EPSG:XXXX", help="CRS berkas bila tidak tercantum")
    p.add_argument(
        "--map", action="append", metavar="SRC=DST", help="ganti nama kolom sumber (bisa diulang)"
    )
    p.add_argument(
        "--nilai",
        action="append",
        metavar="KOLOM=NILAI",
        help="isi kolom dengan satu nilai untuk semua baris (bisa diulang), "
        "mis. --nilai kelas=tinggi untuk zona banjir basah/kering",
    )
    p.add_argument(
        "--map-nilai",
        action="append",
        metavar="KOLOM:SUMBER=TUJUAN[,SUMBER=TUJUAN...]",
        help="ganti nilai kolom (sesudah --map; dibandingkan sebagai teks), "
        "mis. --map-nilai kelas:1=rendah,2=rendah,3=sedang,4=tinggi (bisa diulang)",
    )
    p.add_argument(
        "--desimal",
        choices=("koma", "titik"),
        help="tanda desimal angka CSV/XLSX (default: ditentukan dari berkas; koma: 1.250,5)",
    )
    p.add_argument("--sheet", metavar="NAMA", help="lembar XLSX yang dibaca")
    p.add_argument("--mode", choices=("replace", "append", "update"), help="replace|append|update")
    p.add_argument("--fix", action="store_true", help="perbaiki geometri tidak valid (make_valid)")
    p.add_argument(
        "--skenario", metavar="NAMA", help="zona_banjir: nama skenario (default: dari berkas)"
    )
    p.add_argument(
        "--ambang", metavar="T1,T2", help="raster zona_banjir: ambang kelas (default 0.333,0.667)"
    )

    p = sub.add_parser("demo", parents=[parent], help="bangun penyimpanan demo Kabupaten Bekasi")
    p.add_argument("--kecamatan", metavar="FILE", help="batas kecamatan resmi (kode, nama)")
    p.add_argument(
        "--map", action="append", metavar="SRC=DST", help="ganti nama kolom berkas --kecamatan"
    )
    p.add_argument(
        "--layer", dest="source_layer", metavar="NAME", help="lapisan di dalam berkas --kecamatan"
    )
    p.add_argument(
        "--ganti", action="store_true", help="timpa penyimpanan yang berisi data bukan-demo"
    )
    p.add_argument(
        "--tanggal", metavar="YYYY-MM-DD", help="tanggal acuan laporan (default: hari ini)"
    )

    p = sub.add_parser(
        "export", parents=[parent], help="ekspor semua lapisan ke GeoJSON dan GeoPackage"
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--pribadi", action="store_true", help="sertakan data pribadi (kontak, telepon)")

    sub.add_parser("info", parents=[parent], help="isi penyimpanan / what the store holds")

    p = sub.add_parser(
        "salin", help="salin seluruh penyimpanan (GeoPackage <-> PostGIS) / copy a store"
    )
    p.add_argument(
        "sumber", metavar="SUMBER", help="penyimpanan asal (berkas .gpkg atau postgresql://...)"
    )
    p.add_argument("tujuan", metavar="TUJUAN", help="penyimpanan tujuan, kosong atau belum ada")

    parser.set_defaults(_plugins=_plugins(sub, parent))

    p = sub.add_parser(
        "akun", parents=[parent], help="akun dan token API / accounts and API tokens"
    )
    akun = p.add_subparsers(dest="akun_command", required=True, metavar="AKSI")
    q = akun.add_parser("buat", parents=[parent], help="buat atau setel ulang akun")
    q.add_argument("nama")
    q.add_argument("--peran", choices=("koordinator", "anggota"), required=True)
    q.add_argument("--anggota", metavar="ID", help="anggota yang diwakili akun (peran anggota)")
    q.add_argument(
        "--sandi-stdin", action="store_true", help="baca kata sandi dari stdin (satu baris)"
    )
    q.add_argument("--tanpa-sandi", action="store_true", help="akun hanya untuk token API")
    q = akun.add_parser("token", parents=[parent], help="buat token API (ditampilkan sekali)")
    q.add_argument("nama")
    q.add_argument("--label", help="keterangan token, mis. nama sistem")
    q = akun.add_parser(
        "cabut", parents=[parent], help="cabut token API (token atau awal hash-nya)"
    )
    q.add_argument("token")
    akun.add_parser("daftar", parents=[parent], help="daftar akun dan token")

    p = sub.add_parser("audit", parents=[parent], help="jejak audit: siapa mengubah apa, kapan")
    p.add_argument("-n", type=_positive_int, default=50, help="jumlah entri terakhir (default 50)")

    p = sub.add_parser(
        "analyze", parents=[parent], help="analisis skenario banjir: risiko, jangkauan, kesenjangan"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder hasil")
    p.add_argument(
        "--skenario", metavar="NAMA", help="skenario zona_banjir (default: yang pertama)"
    )
    p.add_argument(
        "--jarak-km", type=_positive_float, metavar="N", help="jarak jangkauan (km, default 15)"
    )
    p.add_argument(
        "--hari", type=_positive_int, metavar="N", help="hari tanggap darurat (default 7)"
    )
    p.add_argument("--tanggal", metavar="YYYY-MM-DD", help="tanggal analisis (default: hari ini)")
    p.add_argument(
        "--jangkauan",
        choices=("garis", "jalan"),
        default="garis",
        help="jangkauan garis lurus (--jarak-km, default) atau waktu tempuh di jalan (--menit)",
    )
    p.add_argument(
        "--menit", type=_positive_float, metavar="N", help="jangkauan jalan: menit (default 60)"
    )
    p.add_argument(
        "--potong",
        metavar="KELAS,...",
        help="kelas banjir yang memutus jalan (default tinggi,sedang; '' = tidak ada)",
    )
    p.add_argument(
        "--lambat",
        metavar="KELAS=FAKTOR,...",
        help="kelas banjir yang memperlambat jalan dan faktornya (default rendah=0.3)",
    )
    p.add_argument(
        "--pribadi",
        action="store_true",
        help="salinan koordinator: kontak anggota di rencana_aksi.xlsx (data pribadi)",
    )

    p = sub.add_parser(
        "banding",
        parents=[parent],
        help="banding skenario: rencana kontinjensi berdampingan, kejadian melawan rencana",
    )
    p.add_argument(
        "--skenario",
        action="append",
        default=[],
        metavar="NAMA",
        help="skenario zona_banjir; dua kali atau lebih (yang pertama = A, pembanding)",
    )
    p.add_argument("--out", metavar="DIR", help="folder hasil: CSV dan GeoJSON banding")
    p.add_argument(
        "--jarak-km", type=_positive_float, metavar="N", help="jarak jangkauan (km, default 15)"
    )
    p.add_argument(
        "--hari", type=_positive_int, metavar="N", help="hari tanggap darurat (default 7)"
    )
    p.add_argument("--tanggal", metavar="YYYY-MM-DD", help="tanggal analisis (default: hari ini)")
    p.add_argument(
        "--jangkauan",
        choices=("garis", "jalan"),
        default="garis",
        help="jangkauan garis lurus (--jarak-km, default) atau waktu tempuh di jalan (--menit)",
    )
    p.add_argument(
        "--menit", type=_positive_float, metavar="N", help="jangkauan jalan: menit (default 60)"
    )
    p.add_argument(
        "--potong",
        metavar="KELAS,...",
        help="kelas banjir yang memutus jalan (default tinggi,sedang; '' = tidak ada)",
    )
    p.add_argument(
        "--lambat",
        metavar="KELAS=FAKTOR,...",
        help="kelas banjir yang memperlambat jalan dan faktornya (default rendah=0.3)",
    )
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bukan angka / not a number: '{text}'") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"harus lebih dari 0 / must be > 0: '{text}'")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"bukan bilangan bulat / not an integer: '{text}'"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"harus 1 atau lebih / must be >= 1: '{text}'")
    return value


def _date(text: str | None) -> dt.date | None:
    from geo_klaster.errors import InputError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--tanggal: tanggal tidak bisa dibaca / unparseable date '{text}' (YYYY-MM-DD)"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    location = resolve_location(getattr(args, "store", None))
    try:
        handler = _COMMANDS.get(args.command) or args._plugins[args.command]
        return handler(args, location)
    except KlasterError as exc:
        print(f"galat / error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dibatalkan / interrupted", file=sys.stderr)
        return 130


def _cmd_init(args: argparse.Namespace, location: str) -> int:
    store = open_store(location)
    existed = store.exists()
    store.init()
    print(f"penyimpanan {'sudah ada' if existed else 'dibuat'}: {store.location}")
    return 0


def _cmd_import(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.inputs.importer import import_file, parse_thresholds
    from geo_klaster.inputs.io import parse_constants, parse_crs, parse_mapping, parse_value_maps

    store = open_store(location)
    report = import_file(
        store,
        args.layer,
        args.file,
        source_layer=args.source_layer,
        crs=parse_crs(args.crs) if args.crs else None,
        mapping=parse_mapping(args.map),
        mode=args.mode,
        fix=args.fix,
        skenario=args.skenario,
        thresholds=parse_thresholds(args.ambang),
        constants=parse_constants(args.nilai),
        value_maps=parse_value_maps(args.map_nilai),
        decimal=args.desimal,
        sheet=args.sheet,
    )
    print("\n".join(report.lines()))
    return 0


def _cmd_demo(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.demo.store import build_demo_store
    from geo_klaster.inputs.io import parse_mapping

    today = _date(args.tanggal)
    store = open_store(location)
    counts = build_demo_store(
        store,
        today=today,
        kecamatan_file=args.kecamatan,
        mapping=parse_mapping(args.map),
        source_layer=args.source_layer,
        replace_real_data=args.ganti,
    )
    print(f"penyimpanan demo dibangun / demo store built: {store.location}")
    for layer, n in counts.items():
        print(f"  {layer:<12} {n:>6}")
    print("Semua data demo bertanda 'contoh' (fiktif); skenario banjir adalah skenario latihan.")
    return 0


def _cmd_export(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.results.export import export_store

    store = open_store(location)
    written = export_store(store, Path(args.dir), personal=args.pribadi)
    for path in written:
        print(path)
    return 0


def road_config(potong: str | None, lambat: str | None) -> AnalysisConfig:
    """Defaults with ``--potong tinggi,sedang`` and ``--lambat rendah=0.3`` applied."""
    from geo_klaster.config import KELAS, AnalysisConfig
    from geo_klaster.errors import InputError

    changes: dict[str, object] = {}
    if potong is not None:
        names = tuple(k.strip() for k in potong.split(",") if k.strip())
        bad = [k for k in names if k not in KELAS]
        if bad:
            raise InputError(
                f"--potong: kelas tidak dikenal / unknown class: {', '.join(bad)} "
                f"(pilihan: {', '.join(KELAS)})"
            )
        changes["potong"] = names
    if lambat is not None:
        factors: dict[str, float] = {}
        for item in (x.strip() for x in lambat.split(",") if x.strip()):
            kelas, sep, value = item.partition("=")
            try:
                f = float(value)
            except ValueError:
                f = float("nan")
            if not sep or kelas.strip() not in KELAS or not 0 < f <= 1:
                raise InputError(
                    f"--lambat: harus KELAS=FAKTOR dengan 0 < FAKTOR <= 1, bukan '{item}' "
                    f"(kelas: {', '.join(KELAS)})"
                )
            factors[kelas.strip()] = f
        changes["lambat"] = factors
    try:
        return AnalysisConfig(**changes)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(f"--potong/--lambat: {exc}") from None


def _cmd_info(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.results.info import store_info

    store = open_store(location)
    print(store_info(store))
    return 0


def _cmd_analyze(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.errors import StoreError
    from geo_klaster.results.outputs import write_outputs

    store = open_store(location)
    if not store.exists():
        raise StoreError(f"penyimpanan belum ada / store does not exist: {store.location}")
    today = _date(args.tanggal)

    def progress(message: str) -> None:
        print(f"  .. {message}", file=sys.stderr, flush=True)

    layers = store.read_all()
    result = run_analysis(
        layers,
        skenario=args.skenario,
        config=road_config(args.potong, args.lambat),
        today=today,
        jarak_km=args.jarak_km,
        hari=args.hari,
        jangkauan=args.jangkauan,
        menit=args.menit,
        progress=progress,
    )
    progress("menulis hasil / writing outputs")
    written = write_outputs(result, Path(args.out), layers=layers, pribadi=args.pribadi)
    print(format_summary(result.summary(), result))
    print(f"\nHasil ditulis ke / written to {args.out}: " + ", ".join(p.name for p in written))
    return 0


def _cmd_banding(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.errors import StoreError
    from geo_klaster.results.banding import compare_layers, format_banding, write_banding

    store = open_store(location)
    if not store.exists():
        raise StoreError(f"penyimpanan belum ada / store does not exist: {store.location}")
    today = _date(args.tanggal)
    layers = store.read_all()
    banding = compare_layers(
        layers,
        args.skenario,
        config=road_config(args.potong, args.lambat),
        today=today,
        jarak_km=args.jarak_km,
        hari=args.hari,
        jangkauan=args.jangkauan,
        menit=args.menit,
    )
    print(format_banding(banding))
    if args.out:
        written = write_banding(banding, Path(args.out))
        print(f"\nHasil ditulis ke / written to {args.out}: " + ", ".join(p.name for p in written))
    return 0


def angka(value: float, decimals: int) -> str:
    """A number in Indonesian style: 534.701,4 (thousands '.', decimals ',')."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _cmd_salin(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.store.copy import copy_store

    source, target = open_store(args.sumber), open_store(args.tujuan)
    counts = copy_store(source, target)
    print(f"disalin / copied: {source.location} -> {target.location}")
    for name, (before, after) in counts.items():
        print(f"  {name:<12} {before:>7} -> {after:>7}")
    return 0


def _cmd_akun(args: argparse.Namespace, location: str) -> int:
    import getpass

    from geo_klaster.errors import InputError, StoreError
    from geo_klaster.members import accounts

    store = open_store(location)
    if not store.exists():
        raise StoreError(f"penyimpanan belum ada / store does not exist: {store.location}")
    if args.akun_command == "buat":
        password: str | None
        if args.tanpa_sandi:
            password = None
        elif args.sandi_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Kata sandi: ")
            if getpass.getpass("Ulangi kata sandi: ") != password:
                raise InputError("kata sandi tidak sama / passwords differ")
        acc = accounts.create_account(
            store, args.nama, peran=args.peran, password=password, anggota_id=args.anggota
        )
        print(
            f"akun {acc.nama} ({acc.peran}{', anggota ' + acc.anggota_id if acc.anggota_id else ''}) disimpan"
        )
    elif args.akun_command == "token":
        token = accounts.issue_token(store, args.nama, label=args.label)
        print(token)
        print("Simpan token ini: tidak akan ditampilkan lagi / shown once.", file=sys.stderr)
    elif args.akun_command == "cabut":
        n = accounts.revoke_token(store, args.token)
        print(f"{n} token dicabut / revoked")
    else:
        for acc in store.accounts():
            member = f" anggota={acc.anggota_id}" if acc.anggota_id else ""
            state = "" if acc.aktif else " (nonaktif)"
            print(f"{acc.nama:<20} {acc.peran:<12}{member}{state}")
    return 0


def _cmd_audit(args: argparse.Namespace, location: str) -> int:
    from geo_klaster.errors import StoreError

    store = open_store(location)
    if not store.exists():
        raise StoreError(f"penyimpanan belum ada / store does not exist: {store.location}")
    import pandas as pd

    log = store.read_audit(limit=args.n)
    for row in log.itertuples(index=False):
        layer = "-" if pd.isna(row.lapisan) else row.lapisan
        count = "" if pd.isna(row.jumlah) else int(row.jumlah)
        print(f"{row.waktu}  {row.akun:<18} {row.saluran:<7} {row.aksi:<14} {layer:<11} "
              f"{count:>6}  {row.rincian}")  # fmt: skip
    return 0


def format_summary(summary: dict, result: object) -> str:
    """The short summary printed by ``analyze``: at-risk kecamatan, displaced, biggest gaps."""
    cfg = getattr(result, "config", None)
    mode = ""
    if cfg is not None:
        mode = (
            f", jangkauan jalan {cfg.menit:g} menit"
            if cfg.jangkauan == "jalan"
            else f", jangkauan {cfg.jarak_km:g} km"
        ) + f", {cfg.hari} hari"
    lines = [
        f"Skenario {summary['skenario']} (tanggal {summary['tanggal']}{mode})",
        f"  Kecamatan berisiko: {summary['kecamatan_berisiko']}",
        "  Pengungsi di kecamatan berisiko (perkiraan): "
        + (
            f"{angka(summary['pengungsi'], 0)} jiwa"
            if math.isfinite(summary["pengungsi"])
            else "tidak diketahui (tidak ada data penduduk)"
        ),
    ]
    if summary.get("kecamatan_di_bawah_ambang"):
        lines.append(
            f"  Di bawah ambang (tidak ikut alokasi): {summary['kecamatan_di_bawah_ambang']} "
            f"kecamatan, {angka(summary['pengungsi_di_bawah_ambang'], 0)} pengungsi"
        )
        lines.append(f"  Semua pengungsi: {angka(summary['pengungsi_semua'], 0)} jiwa")
    if summary.get("pengungsi_tidak_diketahui"):
        lines.append(
            f"  {summary['pengungsi_tidak_diketahui']} kecamatan berisiko tanpa data penduduk "
            "(pengungsi tidak diketahui)"
        )
    ringkas = result.ringkasan_jalan() if hasattr(result, "ringkasan_jalan") else None
    if ringkas is not None:
        from geo_klaster.analysis.road_reach import summary_line

        lines.append(f"  Jalan: {summary_line(ringkas)}")
    gaps = summary.get("kekurangan_terbesar") or []
    if gaps:
        lines.append("  Kekurangan terbesar di kecamatan berisiko / biggest gaps:")
        for g in gaps:
            share = g.get("porsi")
            pct = (
                f" ({share:.0%} dari kebutuhan)"
                if share is not None and math.isfinite(share)
                else ""
            )
            lines.append(
                f"    {g['barang']:<16} {angka(g['kekurangan'], 1):>12} {g['satuan']}{pct}"
            )
    else:
        lines.append("  Tidak ada kekurangan / no gaps")
    return "\n".join(lines)


_COMMANDS = {
    "init": _cmd_init,
    "import": _cmd_import,
    "demo": _cmd_demo,
    "export": _cmd_export,
    "info": _cmd_info,
    "analyze": _cmd_analyze,
    "banding": _cmd_banding,
    "salin": _cmd_salin,
    "akun": _cmd_akun,
    "audit": _cmd_audit,
}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
