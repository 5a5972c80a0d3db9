"""Fair allocation against the first version's, on the national benchmark's data, same run.

    python benchmarks/allocation_fair.py [--scale 1.0] [--lama REV] [--ulang 3]

Builds the synthetic national data of ``benchmarks/national.py`` (seeded; 266 at-risk
kecamatan at scale 1), runs ``run_analysis`` once for its inputs (committable stock, needs of
the at-risk kecamatan, reach pairs), then times, alternately and ``--ulang`` times each:

* the first version (maximise the total, then minimise quantity × distance), loaded from git
  revision ``--lama`` (default ``7cc9e57``, the last main commit before the fair rule) into a
  module of its own — it is not in the product;
* the product's fair allocation (leximin shares, then least cost) on divisible quantities;
* the same with whole units for the ``bulat`` items (the product's default path).

Prints medians, their ratio to the first version and the machine's load (``uptime``; the
machine is shared). Nothing is asserted: figures go in the issue notes.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from geo_klaster.analysis.allocation import allocate
from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.config import AnalysisConfig

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def old_allocate(rev: str):
    """``allocate`` of ``geo_klaster/allocation.py`` at git revision ``rev``."""
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:geo_klaster/allocation.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="alokasi_lama.")) / "alokasi_lama.py"
    path.write_text(text, encoding="utf-8")
    return _module(path, "alokasi_lama").allocate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--lama", default="7cc9e57", help="git revision of the first version")
    ap.add_argument("--ulang", type=int, default=3, help="repeats of each variant")
    args = ap.parse_args(argv)

    national = _module(HERE / "national.py", "national_bench")
    layers = national.build(args.scale)
    result = run_analysis(layers, config=AnalysisConfig(), today=national.TODAY)
    stok = result.stok[["lokasi_id", "barang", "komit"]]
    need = result.kebutuhan[result.kebutuhan["berisiko"]]
    arcs = result.jangkauan
    lama = old_allocate(args.lama)
    variants = {
        "first version (max total, then distance)": lambda: lama(stok, need, arcs),
        "fair, divisible": lambda: allocate(stok, need, arcs),
        "fair, whole units for bulat items": lambda: allocate(stok, need, arcs, bulat=result.bulat),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    rows: dict[str, int] = {}
    for _ in range(args.ulang):
        for name, run in variants.items():
            t = time.perf_counter()
            out = run()
            times[name].append(time.perf_counter() - t)
            rows[name] = len(out)
    load = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    print(
        f"scale {args.scale}: {int(result.kecamatan['berisiko'].sum())} at-risk kecamatan, "
        f"{len(arcs):,} reach pairs, {need['barang'].nunique()} items with a need, "
        f"{len(set(need['barang']) & result.bulat)} of them bulat"
    )
    print(f"`uptime` after the run: {load}\n")
    base = statistics.median(times["first version (max total, then distance)"])
    print(
        "| allocation | median s | runs (s) | / first version | lines |\n|---|---:|---|---:|---:|"
    )
    for name, ts in times.items():
        med = statistics.median(ts)
        runs = ", ".join(f"{t:.2f}" for t in ts)
        print(f"| {name} | {med:.2f} | {runs} | {med / base:.2f} | {rows[name]:,} |")
    fair = allocate(stok, need, arcs, bulat=result.bulat)
    whole = fair["barang"].isin(result.bulat).to_numpy()
    q = fair["jumlah"].to_numpy()
    print(
        f"\nfair, whole units: {int((q[whole] != np.round(q[whole])).sum())} fractional "
        f"bulat lines, smallest line {q.min():.3g}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
