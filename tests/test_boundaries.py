"""Where code lives: the domain never imports the web, the web shell leaves computing to the
domain, and the web's command reaches the CLI through an entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points

from conftest import REPO_ROOT

from geo_klaster.cli import ENTRY_POINTS, build_parser

WEB_IMPORT = re.compile(r"^\s*(from|import) (web|flask|geo_klaster\.web)\b", re.MULTILINE)


def test_domain_never_imports_the_web() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in sorted((REPO_ROOT / "geo_klaster").rglob("*.py"))
        if WEB_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_web_shell_imports_pandas_only_with_a_reason() -> None:
    for path in sorted((REPO_ROOT / "web").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "import pandas" in line:
                assert "#" in line, f"{path.name}:{n}: pandas in the web shell without a reason"
    for name in ("maps.py", "context.py"):
        text = (REPO_ROOT / "web" / name).read_text(encoding="utf-8")
        assert "pd." not in text.replace("pd.DataFrame", ""), name


def test_serve_comes_from_the_web_entry_point() -> None:
    eps = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINTS)}
    assert eps.get("serve", "").endswith("geo_klaster.web.command:register")
    parser = build_parser()
    args = parser.parse_args(["serve", "--port", "5055"])
    assert args.port == 5055 and "serve" in args._plugins


def test_cli_commands_do_not_load_flask_until_asked() -> None:
    """Importing the CLI module loads no web code (the entry points load when parsing)."""
    code = (
        "import sys, geo_klaster.cli; "
        "print('flask' in sys.modules, 'geo_klaster.web' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert out.stdout.split() == ["False", "False"]
