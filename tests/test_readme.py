"""The README's checkable claims hold: commands, options, example lines, web routes, demo ids.

Cheap checks that catch drift between README.md and the code: every ``geo-klaster`` command
and option the README names exists in the CLI parser, every example command line parses,
every address in the README's tables (and other backticked paths) matches a route of the
Flask app, and the demo ids used in the examples are what ``demo`` builds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")

MAIN_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/geo-klaster demo "
    "&& .venv/bin/geo-klaster serve"
)


def _section(title: str) -> str:
    """The text of the ``##``/``###`` section headed ``title``, up to the next heading."""
    m = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ |\Z)", TEXT, re.MULTILINE | re.DOTALL)
    assert m, f"README has no section {title!r}"
    return m.group(1)


def _table_rows(section: str) -> list[list[str]]:
    """Body rows of the markdown tables in ``section``, cells split on unescaped ``|``."""
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append(cells)
    return rows[1:] if rows else rows  # drop the header row


def _code_lines() -> list[str]:
    """Shell lines of the README's ```sh blocks, continuation lines joined."""
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", TEXT, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                lines.append(line.strip())
    return lines


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    from geo_klaster.cli import build_parser

    return build_parser()


def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(p: argparse.ArgumentParser) -> set[str]:
    """Option strings of ``p`` and, for commands with actions (``akun``), of its actions."""
    opts = {o for a in p._actions for o in a.option_strings}
    for sub in _subparsers(p).values():
        opts |= _options(sub)
    return opts


def _parses(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """None when ``argv`` parses, else argparse's message."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            parser.parse_args(argv)
    except SystemExit as exc:
        return f"exit {exc.code}: {err.getvalue().strip()}"
    return None


# -- the two commands for a fresh machine --------------------------------------------------


def test_fresh_machine_commands_are_in_the_readme() -> None:
    assert MAIN_COMMAND in TEXT
    assert "```sh\nbash scripts/test.sh\n```" in TEXT
    assert (README.parent / "scripts" / "test.sh").is_file()


def test_readme_says_the_demo_is_fictional_and_has_bahasa_indonesia() -> None:
    assert "> **Bahasa Indonesia.**" in TEXT
    demo = _section("Demo data")
    assert "fictional" in demo and "contoh" in demo and "latihan" in demo
    assert "fictional" in _section("Quick start (fresh machine, Python 3.11+)")


# -- CLI -----------------------------------------------------------------------------------


def test_every_named_command_exists(parser: argparse.ArgumentParser) -> None:
    commands = _subparsers(parser)
    named = set(re.findall(r"geo-klaster ([a-z][a-z_]*)\b", TEXT))
    assert named, "README names no geo-klaster command"
    assert named - set(commands) == set(), f"README names unknown commands: {named - set(commands)}"
    actions = _subparsers(commands["akun"])
    named_actions = set(re.findall(r"\bakun (buat|token|cabut|daftar|[a-z]+)\b", TEXT))
    assert named_actions - set(actions) == set(), named_actions - set(actions)


def test_every_command_is_in_the_commands_table(parser: argparse.ArgumentParser) -> None:
    rows = _table_rows(_section("Commands"))
    in_table = {re.match(r"`geo-klaster ([a-z_]+)", r[0]).group(1) for r in rows}
    assert set(_subparsers(parser)) == in_table


def test_commands_table_options_exist(parser: argparse.ArgumentParser) -> None:
    commands = _subparsers(parser)
    rows = _table_rows(_section("Commands"))
    assert len(rows) >= 8
    problems = []
    for cells in rows:
        command = re.match(r"`geo-klaster ([a-z_]+)", cells[0]).group(1)
        known = _options(commands[command])
        for cell in cells:
            for code in re.findall(r"`([^`]*)`", cell):
                if code.startswith("geo-klaster ") and not code.startswith(
                    f"geo-klaster {command}"
                ):
                    continue
                for opt in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", code):
                    if opt not in known:
                        problems.append(f"{command}: {opt}")
    assert problems == [], f"options in the Commands table that the CLI lacks: {problems}"


def test_commands_table_mode_choices(parser: argparse.ArgumentParser) -> None:
    imp = _subparsers(parser)["import"]
    (mode,) = [a for a in imp._actions if "--mode" in a.option_strings]
    m = re.search(r"--mode ([a-z|\\]+)\]", _section("Commands"))
    assert m
    assert set(m.group(1).replace("\\", "").split("|")) == set(mode.choices)


def test_example_command_lines_parse(parser: argparse.ArgumentParser) -> None:
    checked, problems = 0, []
    for line in _code_lines():
        for part in line.split("&&"):
            part = part.split(" #")[0].strip()
            m = re.match(r"^(?:\.venv/bin/)?geo-klaster\s+(.*)$", part)
            if not m:
                continue
            argv = shlex.split(m.group(1))
            err = _parses(parser, argv)
            checked += 1
            if err:
                problems.append(f"{part!r}: {err}")
    assert checked >= 20
    assert problems == [], problems


def test_every_command_takes_store_except_salin(parser: argparse.ArgumentParser) -> None:
    assert "Every command except `salin` takes `--store PATH`" in TEXT
    for name, sub in _subparsers(parser).items():
        assert ("--store" in _options(sub)) == (name != "salin"), name


# -- web -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def url_adapter(tmp_path_factory: pytest.TempPathFactory):
    from geo_klaster import web

    app = web.create_app({"STORE": str(tmp_path_factory.mktemp("readme") / "klaster.gpkg")})
    return app.url_map.bind("localhost")


def _readme_addresses() -> list[tuple[str, str]]:
    """(method, path) of every address in the web table and every backticked /path elsewhere."""
    found: list[tuple[str, str]] = []
    for cells in _table_rows(_section("Web pages and API")):
        for code in re.findall(r"`([^`]*)`", cells[0]):
            method, _, path = code.rpartition(" ")
            found.append((method or "GET", path))
    for code in re.findall(r"`(?:(GET|POST) )?(/[a-z][^`\s]*)`", TEXT):
        found.append((code[0] or "GET", code[1]))
    return found


def _concrete(path: str) -> str:
    path = path.split("?")[0]
    return re.sub(r"<[^>]+>", "x", path)


def test_web_routes_in_readme_exist(url_adapter) -> None:
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    addresses = _readme_addresses()
    table = _table_rows(_section("Web pages and API"))
    assert len(table) >= 12 and len(addresses) >= 20
    missing = []
    for method, path in addresses:
        if path == "/api/" or path.startswith(("/tmp", "/usr")):  # the API's prefix; files
            continue
        try:
            url_adapter.match(_concrete(path), method=method)
        except (NotFound, MethodNotAllowed) as exc:
            missing.append(f"{method} {path}: {type(exc).__name__}")
    assert missing == [], f"README addresses the app does not serve: {missing}"


def test_ogc_collections_listed_are_the_layers() -> None:
    from geo_klaster import schema

    m = re.search(r"Collections are the layers \(([^)]*)\)", TEXT)
    assert m
    assert re.findall(r"`(\w+)`", m.group(1)) == list(schema.layer_names())


# -- demo ids used in the examples ----------------------------------------------------------


def test_demo_ids_in_examples_match_the_demo() -> None:
    from geo_klaster.demo.build import build_demo

    frames = build_demo()
    anggota = frames["anggota"].set_index("id")["nama"]
    lokasi = frames["lokasi"].set_index("id")["anggota_id"]
    assert "PMI" in anggota["AGT-025"] and "BPBD" in anggota["AGT-001"]
    assert "--anggota AGT-025" in TEXT and "PMI in the demo" in TEXT
    for agt in set(re.findall(r"\bAGT-\d+", TEXT)):
        assert agt in anggota.index, f"{agt} is not a demo member"
    for lok in set(re.findall(r"\bLOK-\d+", TEXT)):
        assert lokasi.get(lok) == "AGT-025", f"{lok} is not PMI's site in the demo"
    barang = set(frames["barang"]["kode"])
    for kode in re.findall(r'"barang": "(\w+)"', TEXT):
        assert kode in barang
