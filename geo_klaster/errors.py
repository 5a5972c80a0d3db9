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
    """One or more problems in an input; the whole input is refused."""

    MAX_SHOWN = 20

    def __init__(self, source: str | None, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [p.render(source) for p in problems[: self.MAX_SHOWN]]
        more = len(problems) - self.MAX_SHOWN
        if more > 0:
            lines.append(f"... dan {more} masalah lain / and {more} more problems")
        header = f"Data ditolak, tidak ada yang ditulis ({len(problems)} masalah) / input refused, nothing written:"
        super().__init__(header + "\n  " + "\n  ".join(lines))


class AuthError(KlasterError):
    """No valid identity (HTTP 401): sign in, or send a valid API token."""


class ForbiddenError(KlasterError):
    """A valid identity that may not do this (HTTP 403), e.g. another member's site."""
