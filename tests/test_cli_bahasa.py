"""The command line in two languages: its help follows ``GEO_KLASTER_LANG``, then ``LANG``
(Bahasa Indonesia by default), complete in both, argparse's own text included; every option
of every command has help, and all of it is in the English catalogue (pseudo-locale run)."""

from __future__ import annotations

import argparse
import re
from typing import Any

import pytest

from geo_klaster import i18n
from geo_klaster.cli import ARGPARSE_ID, bahasa_argparse, build_parser, main


def _help(capsys: Any, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    return capsys.readouterr().out


def _parsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The parser and every subparser (commands and their actions), with their names."""
    out = [(parser.prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for p in dict.fromkeys(action.choices.values()):
                out += _parsers(p)
    return out


@pytest.fixture
def lang(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_lang(geo: str | None, lang: str | None) -> None:
        for name, value in (("GEO_KLASTER_LANG", geo), ("LANG", lang)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)

    return set_lang


def test_help_in_bahasa_indonesia_by_default(capsys: Any, lang: Any) -> None:
    lang(None, "C.UTF-8")
    out = _help(capsys, ["--help"])
    assert out.startswith("pemakaian: geo-klaster")
    assert "opsi:" in out and "tampilkan bantuan ini lalu keluar" in out
    assert "buat penyimpanan kosong" in out and "tampilkan versi program lalu keluar" in out
    for english in ("usage:", "options:", "show this help", "create an empty store"):
        assert english not in out, english


def test_help_in_english_from_lang_and_geo_klaster_lang_first(capsys: Any, lang: Any) -> None:
    lang(None, "en_US.UTF-8")
    out = _help(capsys, ["--help"])
    assert out.startswith("usage: geo-klaster") and "options:" in out
    assert "show this help message and exit" in out and "create an empty store" in out
    assert "penyimpanan" not in out and "pemakaian" not in out
    lang("id", "en_US.UTF-8")  # GEO_KLASTER_LANG wins over LANG
    assert _help(capsys, ["--help"]).startswith("pemakaian: ")
    lang("en", "id_ID.UTF-8")
    out = _help(capsys, ["analyze", "--help"])
    assert out.startswith("usage: geo-klaster analyze")
    assert "reach by road: minutes (default 60)" in out and "output folder" in out


def test_argparse_errors_in_both_languages(capsys: Any, lang: Any) -> None:
    lang("id", None)
    with pytest.raises(SystemExit) as exc:
        main(["analyze"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "geo-klaster analyze: galat: argumen berikut wajib diisi: --out" in err
    with pytest.raises(SystemExit):
        main(["tidak-ada"])
    assert "pilihan tidak sah: 'tidak-ada'" in capsys.readouterr().err
    lang("en", None)
    with pytest.raises(SystemExit):
        main(["analyze"])
    assert "error: the following arguments are required: --out" in capsys.readouterr().err


def test_argparse_left_as_it_was(lang: Any) -> None:
    """The Indonesian argparse strings apply only inside the CLI's block."""
    before = argparse._  # type: ignore[attr-defined]
    with i18n.dalam_bahasa("id"), bahasa_argparse():
        assert argparse._("options") == "opsi"  # type: ignore[attr-defined]
    assert argparse._ is before  # type: ignore[attr-defined]
    assert argparse._("options") == "options"  # type: ignore[attr-defined]


def test_every_option_has_help_in_the_catalogue() -> None:
    """Built in the pseudo-locale: every command and option has help, and each help text
    went through _() and is in the English catalogue (``⟦…⟧``, never ``⟦!…⟧``)."""
    with i18n.dalam_bahasa(i18n.SEMU):
        parser = build_parser()
        checked = 0
        for prog, p in _parsers(parser):
            assert p.description is None or p.description.startswith("⟦"), prog
            for action in p._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for choice in action._choices_actions:
                        assert choice.help and choice.help.startswith("⟦"), (prog, choice.dest)
                        assert "⟦!" not in choice.help, (prog, choice.help)
                    continue
                if action.help == argparse.SUPPRESS:
                    continue
                name = "/".join(action.option_strings) or action.dest
                if name in ("-h/--help",):  # argparse's own (translated via ARGPARSE_ID)
                    continue
                assert action.help, f"{prog} {name}: no help"
                assert action.help.startswith("⟦") and "⟦!" not in action.help, (
                    prog,
                    name,
                    action.help,
                )
                checked += 1
    assert len(_parsers(parser)) >= 15 and checked >= 60, checked


def test_argparse_strings_known() -> None:
    """The argparse messages the Indonesian table translates are ones this Python's argparse
    uses (a Python upgrade that renames one would otherwise leave English in Indonesian help)."""
    with open(argparse.__file__, encoding="utf-8") as f:
        source = f.read()
    used = {m for _q, m in re.findall(r"""_\(\s*(['"])(.*?)\1\s*\)""", source)}
    core = ["usage: ", "positional arguments", "options", "show this help message and exit",
            "%(prog)s: error: %(message)s\n", "the following arguments are required: %s",
            "invalid choice: %(value)r (choose from %(choices)s)", "unrecognized arguments: %s"]  # fmt: skip
    for key in core:
        assert key in ARGPARSE_ID, key
        assert key.replace("\n", "\\n") in used, key
