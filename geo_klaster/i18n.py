"""Two languages: Bahasa Indonesia (the source text) and English (a message catalogue).

Every string a user reads is written in Bahasa Indonesia in the code and passed through
:func:`gettext` (``_``); the English text comes from the catalogue
``geo_klaster/locale/en/LC_MESSAGES/geo_klaster.po``, read with Babel at first use (no
compiled ``.mo`` file is needed, so a plain ``pip install .`` carries all it takes).

The current language is a context variable: the web app sets it per request
(``?lang=``, then ``Accept-Language``), the command line from ``GEO_KLASTER_LANG`` then
``LANG``. Names of sheets, files, fields, options, layers and routes are never translated.

A pseudo-locale (:data:`SEMU`) exists for tests: it wraps every translated string in
``⟦…⟧`` and marks a string missing from the English catalogue with ``⟦!…⟧``, so a page
rendered in it shows at a glance which text did not go through the catalogue.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from importlib import resources
from typing import Any

__all__ = [
    "BAHASA",
    "BAKU",
    "N_",
    "SEMU",
    "_",
    "bahasa",
    "bahasa_lingkungan",
    "dalam_bahasa",
    "gettext",
    "katalog",
    "ngettext",
    "normalkan",
    "set_bahasa",
]

BAHASA: tuple[str, ...] = ("id", "en")
"""Languages offered to users: Bahasa Indonesia (default) and English."""
BAKU = "id"
"""The default language, and the language of the source strings."""
SEMU = "xx"
"""The pseudo-locale of the tests (see the module docstring)."""

_bahasa: ContextVar[str] = ContextVar("geo_klaster_bahasa", default=BAKU)


@functools.cache
def katalog(kode: str) -> Mapping[str, Any]:
    """The message catalogue of language ``kode``: ``msgid -> msgstr`` (a tuple of plural
    forms for plural messages). Empty for Bahasa Indonesia, the source language; untranslated
    and fuzzy entries are left out (they fall back to the source text)."""
    if kode in (BAKU, SEMU):
        return {} if kode == BAKU else katalog("en")
    from babel.messages.pofile import read_po

    path = resources.files("geo_klaster") / "locale" / kode / "LC_MESSAGES" / "geo_klaster.po"
    with path.open("rb") as f:
        cat = read_po(f, locale=kode)
    out: dict[str, Any] = {}
    for msg in cat:
        if not msg.id or msg.fuzzy:
            continue
        if isinstance(msg.id, tuple):
            forms = tuple(msg.string)
            if all(forms):
                out[msg.id[0]] = forms
        elif msg.string:
            out[msg.id] = msg.string
    return out


def bahasa() -> str:
    """The current language code (``id``, ``en`` or the tests' pseudo-locale)."""
    return _bahasa.get()


def set_bahasa(kode: str) -> Any:
    """Make ``kode`` the current language; returns a token for ``_bahasa.reset``."""
    return _bahasa.set(normalkan(kode) or BAKU)


@contextlib.contextmanager
def dalam_bahasa(kode: str) -> Iterator[None]:
    """Run a block in language ``kode`` (restored afterwards)."""
    token = set_bahasa(kode)
    try:
        yield
    finally:
        _bahasa.reset(token)


def normalkan(kode: str | None) -> str | None:
    """A language tag (``en``, ``en-GB``, ``en_US.UTF-8``, ``id_ID``) as one of :data:`BAHASA`
    (or the pseudo-locale), else None."""
    if not kode:
        return None
    base = kode.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    if base in BAHASA or base == SEMU:
        return base
    if base == "in":  # the old ISO 639 code of Bahasa Indonesia, still sent by some Androids
        return "id"
    return None


def bahasa_lingkungan(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language: ``GEO_KLASTER_LANG``, then ``LANG``; default ``id``."""
    env = os.environ if environ is None else environ
    for name in ("GEO_KLASTER_LANG", "LANG"):
        kode = normalkan(env.get(name))
        if kode:
            return kode
    return BAKU


def _format(text: str, variables: Mapping[str, Any]) -> str:
    return text % variables if variables else text


def gettext(message: str, **variables: Any) -> str:
    """``message`` (Bahasa Indonesia) in the current language, ``%(name)s`` filled from
    ``variables``."""
    kode = _bahasa.get()
    if kode == BAKU:
        return _format(message, variables)
    found = katalog(kode).get(message)
    if kode == SEMU:
        mark = "⟦" if isinstance(found, str) else "⟦!"
        return mark + _format(message, variables) + "⟧"
    return _format(found if isinstance(found, str) else message, variables)


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The singular or plural form for ``n`` (``%(num)d`` is ``n``) in the current language."""
    variables = {"num": n, **variables}
    kode = _bahasa.get()
    forms = katalog(kode).get(singular) if kode != BAKU else None
    if isinstance(forms, tuple):
        text = forms[0] if n == 1 else forms[-1]
    else:
        text = singular if n == 1 else plural
    if kode == SEMU:
        return ("⟦" if forms else "⟦!") + _format(text, variables) + "⟧"
    return _format(text, variables)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (module-level labels,
    translated where they are shown with ``_(label)``)."""
    return message
