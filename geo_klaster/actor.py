"""Who is acting: a person (coordinator or member) through a channel, and the time of an act.

Below every stage, so that reading input, reports and the demo can say who acts without
depending on the accounts store (:mod:`geo_klaster.members.accounts`).
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

from geo_klaster.errors import ForbiddenError


@dataclass(frozen=True)
class Actor:
    """Who is acting, and through which channel (``web``, ``unggah``, ``api``, ``cli``)."""

    nama: str
    peran: str
    anggota_id: str | None = None
    saluran: str = "cli"

    @property
    def is_coordinator(self) -> bool:
        return self.peran == "koordinator"

    def may_write_member(self, anggota_id: str | None) -> bool:
        return self.is_coordinator or (
            self.anggota_id is not None and anggota_id == self.anggota_id
        )

    def require_coordinator(self, what: str) -> None:
        """Raise :class:`ForbiddenError` unless the actor is the coordinator."""
        if not self.is_coordinator:
            raise ForbiddenError(
                f"{what}: hanya koordinator / coordinator only (akun '{self.nama}')"
            )

    def require_member(self, anggota_id: str | None, what: str) -> None:
        if not self.may_write_member(anggota_id):
            raise ForbiddenError(
                f"{what} milik anggota lain ({anggota_id}); akun '{self.nama}' hanya boleh "
                f"mengubah data anggota {self.anggota_id} / belongs to another member"
            )


def cli_actor() -> Actor:
    """The person at the terminal: a local administrator, acting as coordinator."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "lokal"
    return Actor(f"cli:{user}", "koordinator", None, "cli")


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
