"""OGC API – Features items: geo_klaster vs pygeoapi, same layer, same machine, same run.

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/ogc_bench.py [--seconds 10] [--connections 16]

The 187 real desa of Kabupaten Bekasi (``../shared/data/bekasi/desa.geojson``) are imported
into a throwaway GeoPackage store (after the 23 kecamatan they refer to) and served by
geo_klaster (``serve``'s server: gunicorn with ``--proses`` worker processes, default 2, of
8 threads; waitress for 1); the ceiling — a minimal WSGI app answering geo_klaster's same
bytes from memory (``ceiling.py``) — runs on the same server and process count; pygeoapi serves the same GeoJSON file with its GeoJSON provider on
gunicorn (2 workers). pygeoapi lives in its own throwaway venv (default
``/tmp/pygeoapi-venv``, created with pip if missing): it is never a dependency of this
project. ``wrk`` (Debian package) loads ``/collections/desa/items?limit=200`` on 127.0.0.1
for a bounded time; both answers are checked to hold the 187 features first. geo_klaster and
its ceiling run side by side and are loaded in turns (``--rounds``, default 3, each
``--seconds``): on a shared machine whatever else runs then weighs on both alike, and the
ratio is of their mean rates.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ceiling import ceiling

ROOT = Path(__file__).resolve().parent.parent
BEKASI = ROOT.parent / "shared" / "data" / "bekasi"
ITEMS = "/collections/desa/items?limit=200"

PYGEOAPI_CONFIG = """\
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 100, max_items: 10000}}
  map: {{url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png", attribution: OSM}}
logging:
  level: ERROR
metadata:
  identification:
    title: bench
    description: bench
    keywords: [bench]
    keywords_type: theme
    terms_of_service: https://creativecommons.org/licenses/by/4.0/
    url: http://127.0.0.1
  license: {{name: CC-BY 4.0, url: "https://creativecommons.org/licenses/by/4.0/"}}
  provider: {{name: bench, url: http://127.0.0.1}}
  contact: {{name: bench, position: bench, address: bench, city: bench,
             stateorprovince: bench, postalcode: "0", country: ID, phone: "0",
             fax: "0", email: bench@example.org, url: http://127.0.0.1, hours: "0",
             instructions: none, role: pointOfContact}}
resources:
  desa:
    type: collection
    title: desa
    description: Desa/kelurahan Kabupaten Bekasi
    keywords: [desa]
    extents:
      spatial:
        bbox: [106.9, -6.5, 107.3, -5.9]
        crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84
    providers:
      - type: feature
        name: GeoJSON
        data: {data}
        id_field: kode_desa
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return json.loads(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@contextmanager
def running(cmd: list[str], env: dict[str, str] | None = None) -> Iterator[None]:
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(url: str, seconds: int, connections: int, threads: int) -> float:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error answers from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def pygeoapi_venv(path: Path) -> Path:
    """The throwaway venv with pygeoapi and gunicorn (created on first use)."""
    if not (path / "bin" / "gunicorn").exists() or not (path / "bin" / "pygeoapi").exists():
        print(f"installing pygeoapi and gunicorn into {path} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run(
            [str(path / "bin" / "pip"), "install", "-q", "pygeoapi", "gunicorn"], check=True
        )
    return path


def build_store(tmp: Path) -> Path:
    from geo_klaster.cli import main

    store = tmp / "bekasi.gpkg"
    s = ["--store", str(store)]
    assert main([*s, "init"]) == 0
    assert main([*s, "import", "kecamatan", str(BEKASI / "kecamatan.geojson")]) == 0
    assert main([*s, "import", "desa", str(BEKASI / "desa.geojson")]) == 0
    return store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--pygeoapi-venv", type=Path, default=Path("/tmp/pygeoapi-venv"))
    ap.add_argument("--proses", type=int, default=2, help="server processes (geo_klaster, ceiling)")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="geo_klaster and the ceiling loaded in turns, this many times each (mean rate)",
    )
    args = ap.parse_args()
    if not (BEKASI / "desa.geojson").is_file():
        raise SystemExit(f"missing {BEKASI / 'desa.geojson'}")
    venv = pygeoapi_venv(args.pygeoapi_venv)
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ogc-bench-") as name:
        tmp = Path(name)
        store = build_store(tmp)

        port = free_port()
        serve = (
            "import sys; from geo_klaster.web import serve; "
            "serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]), threads=8, proses=int(sys.argv[3]))"
        )
        env = dict(os.environ)
        cmd = [sys.executable, "-P", "-c", serve, str(store), str(port), str(args.proses)]
        server = f"{'gunicorn' if args.proses > 1 else 'waitress'}, {args.proses} x 8 threads"
        with running(cmd, env=env):
            url = f"http://127.0.0.1:{port}/ogc{ITEMS}"
            fc = wait_for(url)
            assert fc["numberReturned"] == fc["numberMatched"] == 187, fc["numberMatched"]
            with urllib.request.urlopen(url) as resp:
                body, ctype = resp.read(), resp.headers["Content-Type"]
            with ceiling(body, ctype, proses=args.proses, threads=8) as top:
                # app and ceiling in turns: whatever else runs on the machine weighs on both
                app_rates, top_rates = [], []
                for _ in range(args.rounds):
                    app_rates.append(wrk(url, args.seconds, args.connections, args.threads))
                    top_rates.append(wrk(top, args.seconds, args.connections, args.threads))
        rates[f"geo_klaster ({server})"] = sum(app_rates) / len(app_rates)
        rates[f"ceiling: same bytes from memory ({server})"] = sum(top_rates) / len(top_rates)

        port = free_port()
        config = tmp / "pygeoapi.yml"
        config.write_text(PYGEOAPI_CONFIG.format(port=port, data=BEKASI / "desa.geojson"))
        openapi = tmp / "pygeoapi-openapi.yml"
        env = {**env, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
        subprocess.run(
            [str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(config),
             "--output-file", str(openapi)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        gunicorn = [
            str(venv / "bin" / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "pygeoapi.flask_app:APP",
        ]
        with running(gunicorn, env=env):
            url = f"http://127.0.0.1:{port}{ITEMS}"
            fc = wait_for(url)
            assert fc["numberReturned"] == fc["numberMatched"] == 187, fc.get("numberMatched")
            rates["pygeoapi (gunicorn, 2 workers, GeoJSON provider)"] = wrk(
                url, args.seconds, args.connections, args.threads
            )

    print(
        f"\n{ITEMS} — 187 desa, wrk {args.seconds} s x {args.rounds} rounds in turns, "
        f"{args.connections} connections, {args.threads} threads, {os.cpu_count()} CPUs"
    )
    for label, rate in rates.items():
        print(f"  {label:50s} {rate:10.1f} requests/s")
    ours, top, theirs = rates.values()
    load = subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()
    print(f"  geo_klaster / ceiling: {ours / top:.0%} (target >= 50 %)")
    print(
        f"  per round: {', '.join(f'{a / b:.0%}' for a, b in zip(app_rates, top_rates, strict=True))}"
    )
    print(f"  ratio geo_klaster / pygeoapi: {ours / theirs:.1f}x")
    print(f"  uptime: {load}")


if __name__ == "__main__":
    main()
