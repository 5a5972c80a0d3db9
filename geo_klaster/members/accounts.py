"""Identity: accounts (coordinator, members), passwords, API tokens, and who may write what.

Passwords are stored as scrypt hashes (stdlib ``hashlib.scrypt``, random salt); API tokens
are random 256-bit strings shown once and stored as their SHA-256. The rule of DESIGN.md: a
member may change only its own records; the coordinator may change all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from geo_klaster.actor import Actor, cli_actor, now_utc
from geo_klaster.errors import AuthError, InputError, NotFoundError
from geo_klaster.store import Store
from geo_klaster.store.base import Account, AuditEntry, Token

ROLES = ("koordinator", "anggota")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
TOKEN_PREFIX = "gk_"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_b64, digest_b64 = stored.split("$")
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(
    store: Store,
    nama: str,
    *,
    peran: str,
    password: str | None,
    anggota_id: str | None = None,
    actor: Actor | None = None,
) -> Account:
    """Create (or reset) an account; a member account names its ``anggota_id``."""
    actor = actor or cli_actor()
    if not _NAME.match(nama):
        raise InputError(f"nama akun '{nama}' tidak sah: 2-64 huruf, angka, _ . @ -")
    if peran not in ROLES:
        raise InputError(f"peran '{peran}' tidak dikenal; pilihan: {', '.join(ROLES)}")
    if peran == "anggota":
        if not anggota_id:
            raise InputError("akun anggota perlu --anggota ID / a member account needs --anggota")
        if anggota_id not in {str(v) for v in store.distinct("anggota", "id")}:
            raise NotFoundError(f"anggota '{anggota_id}' tidak ada di penyimpanan / unknown member")
    elif anggota_id:
        raise InputError("akun koordinator tidak terikat pada satu anggota (--anggota)")
    if password is not None and len(password) < 8:
        raise InputError("kata sandi minimal 8 karakter / password must have 8+ characters")
    account = Account(
        nama, peran, anggota_id, hash_password(password) if password else None, now_utc(), True
    )
    with store.transaction() as tx:
        tx.save_account(account)
        tx.audit(
            AuditEntry(
                now_utc(),
                actor.nama,
                actor.saluran,
                "akun",
                None,
                1,
                {"akun": nama, "peran": peran, "anggota_id": anggota_id},
            )
        )
    return account


def issue_token(
    store: Store, nama: str, *, label: str | None = None, actor: Actor | None = None
) -> str:
    """A new API token for account ``nama``; the plain token is returned once, never stored."""
    actor = actor or cli_actor()
    if store.account(nama) is None:
        raise NotFoundError(f"akun '{nama}' tidak ada / unknown account")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction() as tx:
        tx.add_token(Token(token_hash(token), nama, label, now_utc()))
        tx.audit(
            AuditEntry(
                now_utc(),
                actor.nama,
                actor.saluran,
                "token",
                None,
                1,
                {"akun": nama, "label": label, "hash": token_hash(token)[:12]},
            )
        )
    return token


def revoke_token(store: Store, prefix: str, *, actor: Actor | None = None) -> int:
    """Revoke tokens by (a prefix of at least 8 hex digits of) their hash, or the token itself."""
    actor = actor or cli_actor()
    key = token_hash(prefix) if prefix.startswith(TOKEN_PREFIX) else prefix.lower()
    if not re.fullmatch(r"[0-9a-f]{8,64}", key):
        raise InputError("sebutkan token, atau minimal 8 digit awal hash-nya (lihat `akun daftar`)")
    with store.transaction() as tx:
        n = tx.revoke_token(key, now_utc())
        tx.audit(
            AuditEntry(
                now_utc(), actor.nama, actor.saluran, "cabut_token", None, n, {"hash": key[:12]}
            )
        )
    if n == 0:
        raise NotFoundError("tidak ada token aktif dengan hash itu / no such active token")
    return n


def authenticate_password(store: Store, nama: str, password: str, *, saluran: str = "web") -> Actor:
    account = store.account(nama)
    if account is None or not account.aktif or not check_password(password, account.sandi_hash):
        raise AuthError("nama akun atau kata sandi salah / wrong account name or password")
    return Actor(account.nama, account.peran, account.anggota_id, saluran)


def authenticate_token(store: Store, token: str, *, saluran: str = "api") -> Actor:
    found = store.token(token_hash(token)) if token else None
    if found is None or found.dicabut is not None:
        raise AuthError("token API tidak sah atau sudah dicabut / invalid or revoked API token")
    account = store.account(found.akun)
    if account is None or not account.aktif:
        raise AuthError("akun token ini tidak aktif / the token's account is inactive")
    return Actor(account.nama, account.peran, account.anggota_id, saluran)
