"""The serving ceiling: a minimal WSGI app answering the same bytes from memory.

Used by ``ogc_bench.py`` and ``web_bench.py``: the bytes an endpoint of geo_klaster answers
are served by a three-line WSGI app on the same server and process count as the app
(:func:`geo_klaster.web.run_wsgi`: waitress for one process, gunicorn ``gthread`` workers for several),
so the ratio app / ceiling says how much of the server's capacity the app's own work costs.

    python benchmarks/ceiling.py BODY_FILE CONTENT_TYPE PORT PROSES THREADS
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def ceiling(body: bytes, content_type: str, *, proses: int, threads: int) -> Iterator[str]:
    """The ceiling app in a child process; yields its URL (any path answers ``body``)."""
    with tempfile.NamedTemporaryFile(prefix="ceiling-", delete=False) as f:
        f.write(body)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, f.name, content_type, str(port), str(proses), str(threads)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("ceiling server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        Path(f.name).unlink(missing_ok=True)


def main(argv: list[str]) -> None:
    from geo_klaster.web import run_wsgi

    body_file, content_type, port, proses, threads = argv
    body = Path(body_file).read_bytes()
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]

    def app(_environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", headers)
        return [body]

    run_wsgi(lambda: app, "127.0.0.1", int(port), proses=int(proses), threads=int(threads))


if __name__ == "__main__":
    main(sys.argv[1:])
