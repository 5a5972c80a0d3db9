"""One error hierarchy for everything a user can get wrong.

Every message names *where* (file, feature or row, field) and *what*; it is written in
Bahasa Indonesia first, with an English gloss, because the people reading it are the
cluster's coordinators and members. The CLI prints the message and exits non-zero; the
web API turns it into a 4xx JSON body.
"""

from __future__ import annotations

from dataclasses import dataclass


class KlasterError(Exception):
    """Base class: an error whose message is meant for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class StoreError(KlasterError):
    """The store cannot be opened, created or written."""


class NotFoundError(KlasterError):
    """A layer, feature, kecamatan code or scenario does not exist."""


@dataclass
class Problem:
    """One problem in an input: where it is and what is wrong.

    ``row`` is the 1-based feature or row number as a person counts it in the file
    (for a CSV: the line number including the header line; for vector files: the
    feature number), or None for a whole-file problem.
    """

    message: str
    row: int | None = None
    field: str | None = None
    value: object = None
    kind: str = "baris"  # "baris" (CSV/XLSX row) or "fitur" (feature)

    def render(self, source: str | None = None) -> str:
        parts: list[str] = []
        if source:
            parts.append(source)
        if self.row is not None:
            parts.append(f"{self.kind} {self.row}")
        if self.field:
            parts.append(f"kolom '{self.field}'")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"pesan": self.message}
        if self.row is not None:
            out[self.kind] = self.row
        if self.field:
            out["kolom"] = self.field
        return out


class InputError(KlasterError):
    """A file or request that cannot be accepted; nothing was written."""

    exit_code = 2


class ValidationError(InputError):
    """One or more problems in an input; the whole input is refused.

    The message groups the problems: one line per distinct problem (same field, same
    message), with how often it occurs and the first :attr:`ROWS_SHOWN` rows or features,
    then the total. The same wrong value in 565 features is one line, not 565.
    """

    MAX_SHOWN = 20  # distinct problems listed
    ROWS_SHOWN = 5  # rows or features named per distinct problem

    def __init__(self, source: str | None, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        groups = group_problems(problems)
        lines = [_render_group(g, source, self.ROWS_SHOWN) for g in groups[: self.MAX_SHOWN]]
        more = len(groups) - self.MAX_SHOWN
        if more > 0:
            lines.append(f"... dan {more} jenis masalah lain / and {more} more kinds of problem")
        lines.append(
            f"Jumlah / total: {len(problems)} masalah, {len(groups)} jenis / "
            f"{len(problems)} problems of {len(groups)} kinds"
        )
        header = f"Data ditolak, tidak ada yang ditulis ({len(problems)} masalah) / input refused, nothing written:"
        super().__init__(header + "\n  " + "\n  ".join(lines))


def group_problems(problems: list[Problem]) -> list[list[Problem]]:
    """The problems grouped by (field, message, kind), in order of first appearance."""
    groups: dict[tuple[object, ...], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.field, p.message, p.kind), []).append(p)
    return list(groups.values())


def summarised_problems(problems: list[Problem], shown: int = 5) -> list[Problem]:
    """One :class:`Problem` per distinct problem: a problem that occurs once as it is, one
    that recurs with its count and first ``shown`` rows in the message (for pages)."""
    out: list[Problem] = []
    for group in group_problems(problems):
        first = group[0]
        if len(group) == 1:
            out.append(first)
            continue
        rows = [p.row for p in group if p.row is not None]
        listed = ", ".join(map(str, rows[:shown])) + (", ..." if len(rows) > shown else "")
        count = f"{len(group)} {first.kind}: {listed}" if rows else f"{len(group)} kali"
        out.append(Problem(f"{first.message} ({count})", None, first.field, None, first.kind))
    return out


def _render_group(group: list[Problem], source: str | None, shown: int) -> str:
    first = group[0]
    if len(group) == 1:
        return first.render(source)
    rows = [p.row for p in group if p.row is not None]
    parts = [source] if source else []
    if first.field:
        parts.append(f"kolom '{first.field}'")
    where = ", ".join(parts)
    text = f"{where}: {first.message}" if where else first.message
    if rows:
        listed = ", ".join(map(str, rows[:shown])) + (", ..." if len(rows) > shown else "")
        text += f" ({len(group)} {first.kind}: {listed})"
    else:
        text += f" ({len(group)} kali / times)"
    return text


class AuthError(KlasterError):
    """No valid identity (HTTP 401): sign in, or send a valid API token."""


class ForbiddenError(KlasterError):
    """A valid identity that may not do this (HTTP 403), e.g. another member's site."""
