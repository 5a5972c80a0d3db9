"""The ``geo-klaster`` command line.

Every command takes ``--store PATH`` — a GeoPackage file or a ``postgresql://`` URL (else
$GEO_KLASTER_STORE, else ``./klaster.gpkg``).
User errors print one clear message to stderr and exit non-zero (2 for bad input, 1 for the
rest); nothing is written when a command fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from geo_klaster import __version__, i18n
from geo_klaster import schema as schema_mod
from geo_klaster.errors import KlasterError
from geo_klaster.i18n import _
from geo_klaster.store import ENV_VAR, open_store, resolve_location

if TYPE_CHECKING:
    from geo_klaster.config import AnalysisConfig


def _store_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--store",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_(
            "berkas GeoPackage atau URL postgresql://... (default: $%(env)s, lalu ./klaster.gpkg)",
            env=ENV_VAR,
        ).replace("%", "%%"),
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
    """The parser, its help in the current language (:func:`geo_klaster.i18n.bahasa`); build
    and use it inside :func:`bahasa_argparse` for argparse's own text in Bahasa Indonesia."""
    parent = _store_parent()
    parser = argparse.ArgumentParser(
        prog="geo-klaster",
        description=_(
            "geo_klaster: stok, zona banjir, jangkauan dan kesenjangan klaster logistik."
        ),
        epilog=_(
            "Bahasa: GEO_KLASTER_LANG, lalu LANG (id = Bahasa Indonesia, en = English). "
            "Bantuan satu perintah: geo-klaster PERINTAH --help."
        ),
        parents=[parent],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"geo_klaster {__version__}",
        help=_("tampilkan versi program lalu keluar"),
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="PERINTAH", title=_("perintah")
    )

    sub.add_parser(
        "init", parents=[parent], help=_("buat penyimpanan kosong"),
        description=_("Buat penyimpanan kosong (GeoPackage atau skema PostGIS) dengan semua lapisan."),
    )  # fmt: skip

    p = sub.add_parser(
        "import", parents=[parent], help=_("impor berkas ke lapisan"),
        description=_("Impor berkas ke satu lapisan; semua baris diterima atau tidak sama sekali."),
    )  # fmt: skip
    p.add_argument(
        "layer", metavar="LAYER",
        help=_("lapisan tujuan: %(pilihan)s", pilihan=", ".join(schema_mod.layer_names())),
    )  # fmt: skip
    p.add_argument(
        "file", metavar="FILE",
        help=_("berkas: GeoJSON, GeoPackage, Shapefile (.shp/.zip), CSV, XLSX, GeoTIFF"),
    )  # fmt: skip
    p.add_argument(
        "--layer", dest="source_layer", metavar="NAME",
        help=_("lapisan di dalam berkas (GeoPackage dengan beberapa lapisan)"),
    )  # fmt: skip
    p.add_argument("--crs", metavar="EPSG:XXXX", help=_("CRS berkas bila tidak tercantum"))
    p.add_argument(
        "--map", action="append", metavar="SRC=DST",
        help=_("ganti nama kolom sumber (bisa diulang)"),
    )  # fmt: skip
    p.add_argument(
        "--nilai", action="append", metavar="KOLOM=NILAI",
        help=_(
            "isi kolom dengan satu nilai untuk semua baris (bisa diulang), "
            "mis. --nilai kelas=tinggi untuk zona banjir basah/kering"
        ),
    )  # fmt: skip
    p.add_argument(
        "--map-nilai", action="append", metavar="KOLOM:SUMBER=TUJUAN[,SUMBER=TUJUAN...]",
        help=_(
            "ganti nilai kolom (sesudah --map; dibandingkan sebagai teks), "
            "mis. --map-nilai kelas:1=rendah,2=rendah,3=sedang,4=tinggi (bisa diulang)"
        ),
    )  # fmt: skip
    p.add_argument(
        "--desimal", choices=("koma", "titik"),
        help=_("tanda desimal angka CSV/XLSX (default: ditentukan dari berkas; koma: 1.250,5)"),
    )  # fmt: skip
    p.add_argument("--sheet", metavar="NAMA", help=_("lembar XLSX yang dibaca"))
    p.add_argument(
        "--mode", choices=("replace", "append", "update"),
        help=_(
            "replace: berkas menjadi lapisan (default, kecuali stok); append: baris ditambahkan "
            "(default dan satu-satunya untuk stok, riwayat); update: atribut fitur yang ada "
            "diperbarui menurut kuncinya"
        ),
    )  # fmt: skip
    p.add_argument(
        "--fix", action="store_true", help=_("perbaiki geometri tidak valid (make_valid)")
    )
    p.add_argument(
        "--skenario", metavar="NAMA", help=_("zona_banjir: nama skenario (default: dari berkas)")
    )
    p.add_argument(
        "--ambang", metavar="T1,T2",
        help=_("raster zona_banjir: ambang kelas (default 0.333,0.667)"),
    )  # fmt: skip

    p = sub.add_parser(
        "demo", parents=[parent], help=_("bangun penyimpanan demo Kabupaten Bekasi"),
        description=_("Bangun penyimpanan demo Kabupaten Bekasi: data contoh (fiktif), skenario latihan."),
    )  # fmt: skip
    p.add_argument(
        "--kecamatan", metavar="FILE", help=_("batas kecamatan resmi (kolom kode, nama)")
    )
    p.add_argument(
        "--map", action="append", metavar="SRC=DST", help=_("ganti nama kolom berkas --kecamatan")
    )
    p.add_argument(
        "--layer", dest="source_layer", metavar="NAME",
        help=_("lapisan di dalam berkas --kecamatan"),
    )  # fmt: skip
    p.add_argument(
        "--ganti", action="store_true", help=_("timpa penyimpanan yang berisi data bukan-demo")
    )
    p.add_argument(
        "--tanggal", metavar="YYYY-MM-DD", help=_("tanggal acuan laporan (default: hari ini)")
    )

    p = sub.add_parser(
        "export", parents=[parent], help=_("ekspor semua lapisan ke GeoJSON dan GeoPackage")
    )
    p.add_argument("dir", metavar="DIR", help=_("folder tujuan (dibuat bila belum ada)"))
    p.add_argument(
        "--pribadi", action="store_true", help=_("sertakan data pribadi (kontak, telepon)")
    )
    _zona_option(p)

    sub.add_parser("info", parents=[parent], help=_("isi penyimpanan"))

    p = sub.add_parser("salin", help=_("salin seluruh penyimpanan (GeoPackage <-> PostGIS)"))
    p.add_argument(
        "sumber", metavar="SUMBER", help=_("penyimpanan asal (berkas .gpkg atau postgresql://...)")
    )
    p.add_argument("tujuan", metavar="TUJUAN", help=_("penyimpanan tujuan, kosong atau belum ada"))

    parser.set_defaults(_plugins=_plugins(sub, parent))

    p = sub.add_parser("akun", parents=[parent], help=_("akun dan token API"))
    akun = p.add_subparsers(dest="akun_command", required=True, metavar="AKSI", title=_("aksi"))
    q = akun.add_parser("buat", parents=[parent], help=_("buat atau setel ulang akun"))
    q.add_argument("nama", help=_("nama akun (untuk masuk)"))
    q.add_argument(
        "--peran", choices=("koordinator", "anggota"), required=True,
        help=_("koordinator: semua lokasi, audit, data pribadi; anggota: lokasi anggotanya"),
    )  # fmt: skip
    q.add_argument("--anggota", metavar="ID", help=_("anggota yang diwakili akun (peran anggota)"))
    q.add_argument(
        "--sandi-stdin", action="store_true", help=_("baca kata sandi dari stdin (satu baris)")
    )
    q.add_argument("--tanpa-sandi", action="store_true", help=_("akun hanya untuk token API"))
    q = akun.add_parser("token", parents=[parent], help=_("buat token API (ditampilkan sekali)"))
    q.add_argument("nama", help=_("nama akun pemilik token"))
    q.add_argument("--label", help=_("keterangan token, mis. nama sistem"))
    q = akun.add_parser(
        "cabut", parents=[parent], help=_("cabut token API (token atau awal hash-nya)")
    )
    q.add_argument("token", help=_("token, atau awal hash-nya seperti di daftar"))
    akun.add_parser("daftar", parents=[parent], help=_("daftar akun dan token"))

    p = sub.add_parser("audit", parents=[parent], help=_("jejak audit: siapa mengubah apa, kapan"))
    p.add_argument(
        "-n", type=_positive_int, default=50, help=_("jumlah entri terakhir (default 50)")
    )

    p = sub.add_parser(
        "analyze", parents=[parent],
        help=_("analisis skenario banjir: risiko, jangkauan, kesenjangan"),
    )  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR", help=_("folder hasil"))
    _analysis_options(p, skenario=_("skenario zona_banjir (default: yang pertama)"), banyak=False)
    p.add_argument(
        "--pribadi", action="store_true",
        help=_("salinan koordinator: kontak anggota di rencana_aksi.xlsx (data pribadi)"),
    )  # fmt: skip

    p = sub.add_parser(
        "banding", parents=[parent],
        help=_("banding skenario: rencana kontinjensi berdampingan, kejadian melawan rencana"),
    )  # fmt: skip
    p.add_argument("--out", metavar="DIR", help=_("folder hasil: CSV dan GeoJSON banding"))
    _analysis_options(
        p,
        skenario=_("skenario zona_banjir; dua kali atau lebih (yang pertama = A, pembanding)"),
        banyak=True,
    )
    return parser


def _analysis_options(p: argparse.ArgumentParser, *, skenario: str, banyak: bool) -> None:
    """The options analyze and banding share (``banyak``: --skenario may repeat)."""
    if banyak:
        p.add_argument("--skenario", action="append", default=[], metavar="NAMA", help=skenario)
    else:
        p.add_argument("--skenario", metavar="NAMA", help=skenario)
    p.add_argument(
        "--jarak-km", type=_positive_float, metavar="N",
        help=_("jarak jangkauan (km, default 15)"),
    )  # fmt: skip
    p.add_argument(
        "--hari", type=_positive_int, metavar="N", help=_("hari tanggap darurat (default 7)")
    )
    p.add_argument(
        "--tanggal", metavar="YYYY-MM-DD", help=_("tanggal analisis (default: hari ini)")
    )
    p.add_argument(
        "--jangkauan", choices=("garis", "jalan"), default="garis",
        help=_("jangkauan garis lurus (--jarak-km, default) atau waktu tempuh di jalan (--menit)"),
    )  # fmt: skip
    p.add_argument(
        "--menit", type=_positive_float, metavar="N",
        help=_("jangkauan jalan: menit (default 60)"),
    )  # fmt: skip
    p.add_argument(
        "--potong", metavar="KELAS,...",
        help=_("kelas banjir yang memutus jalan (default tinggi,sedang; '' = tidak ada)"),
    )  # fmt: skip
    p.add_argument(
        "--lambat", metavar="KELAS=FAKTOR,...",
        help=_("kelas banjir yang memperlambat jalan dan faktornya (default rendah=0.3)"),
    )  # fmt: skip
    _zona_option(p)


def _zona_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--zona-waktu", metavar="ZONA",
        help=_(
            "zona waktu kabupaten untuk waktu yang ditulis (GeoJSON/CSV, dengan offset): "
            "WIB (default), WITA atau WIT"
        ),
    )  # fmt: skip


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


# argparse's own text (usage, headings, its error messages) in Bahasa Indonesia; in English
# argparse speaks for itself. Keys are argparse's message ids (Python 3.11-3.13).
ARGPARSE_ID: dict[str, str] = {
    "usage: ": "pemakaian: ",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "optional arguments": "opsi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak sah: %(value)r (pilih dari %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "expected one argument": "butuh satu nilai",
    "expected at most one argument": "paling banyak satu nilai",
    "expected at least one argument": "paling sedikit satu nilai",
    "expected %s argument": "butuh %s nilai",
    "expected %s arguments": "butuh %s nilai",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opsi ambigu: %(option)s bisa berarti %(matches)s"
    ),
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "ignored explicit argument %r": "argumen %r diabaikan",
    "unexpected option string: %s": "opsi tak terduga: %s",
    "can't open '%(filename)s': %(error)s": "tidak bisa membuka '%(filename)s': %(error)s",
}


@contextlib.contextmanager
def bahasa_argparse() -> Iterator[None]:
    """Within the block, argparse's own strings follow the current language: translated to
    Bahasa Indonesia (:data:`ARGPARSE_ID`) when it is ``id``, as they are otherwise."""
    if i18n.bahasa() != i18n.BAKU:
        yield
        return
    old = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def gettext(message: str) -> str:
        return ARGPARSE_ID.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = old  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    """The command line, its help and messages in ``GEO_KLASTER_LANG`` (then ``LANG``)."""
    with i18n.dalam_bahasa(i18n.bahasa_lingkungan()), bahasa_argparse():
        parser = build_parser()
        args = parser.parse_args(argv)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
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
    zona = road_config(None, None, args.zona_waktu).zona_waktu
    written = export_store(store, Path(args.dir), personal=args.pribadi, zona=zona)
    for path in written:
        print(path)
    return 0


def road_config(
    potong: str | None, lambat: str | None, zona_waktu: str | None = None
) -> AnalysisConfig:
    """Defaults with ``--potong tinggi,sedang``, ``--lambat rendah=0.3`` and
    ``--zona-waktu WITA`` applied."""
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
    if zona_waktu is not None:
        changes["zona_waktu"] = zona_waktu
    try:
        return AnalysisConfig(**changes)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(f"--potong/--lambat/--zona-waktu: {exc}") from None


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
        config=road_config(args.potong, args.lambat, args.zona_waktu),
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
    config = road_config(args.potong, args.lambat, args.zona_waktu)
    banding = compare_layers(
        layers,
        args.skenario,
        config=config,
        today=today,
        jarak_km=args.jarak_km,
        hari=args.hari,
        jangkauan=args.jangkauan,
        menit=args.menit,
    )
    print(format_banding(banding))
    if args.out:
        written = write_banding(banding, Path(args.out), config.zona_waktu)
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
