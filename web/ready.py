"""Ready answers: anonymous GET answers kept as bytes and headers, served without Flask.

Under load, building a Flask request (context, session, language, identity, parameters,
two cache look-ups, response object, ``after_request`` hooks) cost several times what the
server spends sending the same bytes. So the app is wrapped in :class:`ReadyAnswers`: a
view whose answer depends on nothing but the request's key (below) and the data marks it
with :func:`keep`; the status, headers and body Flask answered are then kept, and the same
request is answered from them until the data version changes.

The key of a request
--------------------
Path, query string, host, scheme and script root (links in OGC answers are absolute), the
raw ``Accept-Language`` header and ``Cookie`` header (the language), and the configuration
values an answer reads (``TODAY``, ``SKENARIO``, ``JARAK_KM``, ``HARI``, ``BAHASA_SEMU``).
Raw headers, not the language chosen from them: two requests share an answer only when
everything the app could read from them is the same. A deployment's middleware that
rewrites the environ (e.g. ``ProxyFix`` for ``X-Forwarded-*``) wraps ``app.wsgi_app`` after
:func:`~geo_klaster.web.create_app`, so it runs before this layer and its result is in the key.

What is never kept or served from here
--------------------------------------
* Anything but ``GET``; requests with ``Authorization``, with the session cookie (a member's
  or coordinator's request: identity, session refresh and personal data stay with Flask), or
  with a conditional or range header (``If-None-Match`` etc.: Flask answers 304/412).
* Answers other than 200, answers setting a cookie, answers of views that did not call
  :func:`keep`, answers built for a signed-in identity.

Freshness
---------
Every request reads the store's data version first (GeoPackage: two ``stat()`` calls;
PostGIS: the version row), as the Flask path does, and kept answers belong to one version:
a write through any process is seen at the next request. An answer that depends on the
clock is kept only until it would change: :func:`until` (an OGC page's ``timeStamp``, to
the second; "today" when ``TODAY`` is not fixed, to midnight UTC). A ``Date`` header is
written anew for every answer.

Memory: at most ``max_bytes`` of bodies per process (the oldest kept go first).
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import g, request
from werkzeug.http import http_date

__all__ = ["ReadyAnswers", "keep", "until"]

MARK = "geo_klaster.siap"  # environ: the data version a view's answer was built on
UNTIL = "geo_klaster.siap_sampai"  # environ: the answer is valid before this time (epoch s)
CONFIG_KEYS = ("TODAY", "SKENARIO", "JARAK_KM", "HARI", "BAHASA_SEMU")
# a request with any of these goes to Flask: identity, or an answer that depends on the header
PASS = (
    "HTTP_AUTHORIZATION",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)

StartResponse = Callable[..., Any]


ANY = "any"  # MARK of an answer that does not depend on the data


def keep(version: int | None = None) -> None:
    """Mark this request's answer as one to keep for data version ``version`` (None: an
    answer that does not depend on the data; still dropped when the version changes).

    Call it only in a view whose answer depends on nothing but the request's key (module
    docstring), the data and :func:`until`'s clock, and only where anonymous and signed-in
    people get the same answer (the answer of a signed-in identity is never kept anyway).
    """
    if g.get("identitas") is None:
        request.environ[MARK] = ANY if version is None else version


def until(t: float) -> None:
    """This request's answer changes at time ``t`` (seconds since the epoch): keep it before."""
    environ = request.environ
    environ[UNTIL] = min(t, environ.get(UNTIL, math.inf))


@dataclass(frozen=True)
class _Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    expires: float
    date_at: int  # position of the Date header, -1 if none


class ReadyAnswers:
    """WSGI middleware serving kept answers (module docstring).

    Parameters
    ----------
    app
        The Flask WSGI app (``app.wsgi_app``).
    version
        Returns the store's current data version.
    config
        The app's configuration (read per request for the key).
    max_bytes
        Bytes of kept bodies at most.
    clock
        The time (seconds since the epoch).

    Attributes
    ----------
    hitungan
        ``siap`` answers served from here, ``simpan`` answers kept: tests read it.
    """

    def __init__(
        self,
        app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
        *,
        version: Callable[[], int],
        config: dict[str, Any],
        max_bytes: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.version = version
        self.config = config
        self.max_bytes = max_bytes
        self.clock = clock
        self.hitungan: Counter[str] = Counter()
        # (data version, answers by key, bytes held): replaced whole on a new version
        self._state: tuple[int | None, OrderedDict[tuple[Any, ...], _Answer], list[int]] = (
            None,
            OrderedDict(),
            [0],
        )
        self._lock = threading.Lock()
        self._date: tuple[int, str] = (-1, "")

    def _key(self, environ: dict[str, Any]) -> tuple[Any, ...] | None:
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        for name in PASS:
            if name in environ:
                return None
        cookie = environ.get("HTTP_COOKIE")
        cfg = self.config
        if cookie and cfg["SESSION_COOKIE_NAME"] in cookie:
            return None
        return (
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME"),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            cookie,
            *(cfg.get(k) for k in CONFIG_KEYS),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # noqa: BLE001 - whatever it is, the app answers it as it always did
            return self.app(environ, start_response)
        now = self.clock()
        kept_version, answers, _size = self._state
        if kept_version == version:
            answer = answers.get(key)
            if answer is not None and now < answer.expires:
                self.hitungan["siap"] += 1
                headers = answer.headers.copy()  # the server may keep or change its list
                if answer.date_at >= 0:
                    headers[answer.date_at] = ("Date", self._http_date(now))
                start_response(answer.status, headers)
                return [answer.body]
        return self._answer(environ, start_response, key, version)

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key: tuple[Any, ...],
        version: int,
    ) -> Iterable[bytes]:
        seen: list[Any] = []

        def watch(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        out = self.app(environ, watch)
        mark = environ.get(MARK)
        if (
            (mark != version and mark != ANY)
            or len(seen) != 2
            or not seen[0].startswith("200 ")
            or any(name.lower() == "set-cookie" for name, _v in seen[1])
        ):
            return out
        try:
            body = b"".join(out)
        finally:
            close = getattr(out, "close", None)
            if close is not None:
                close()
        headers = list(seen[1])
        date_at = next((i for i, (n, _v) in enumerate(headers) if n.lower() == "date"), -1)
        answer = _Answer(seen[0], headers, body, environ.get(UNTIL, math.inf), date_at)
        self._keep(key, version, answer)
        return [body]

    def _keep(self, key: tuple[Any, ...], version: int, answer: _Answer) -> None:
        size = len(answer.body)
        if size > self.max_bytes:
            return
        with self._lock:
            kept_version, answers, held = self._state
            if kept_version != version:
                kept_version, answers, held = version, OrderedDict(), [0]
                self._state = (kept_version, answers, held)
            old = answers.pop(key, None)
            if old is not None:
                held[0] -= len(old.body)
            answers[key] = answer
            held[0] += size
            while held[0] > self.max_bytes:
                _k, gone = answers.popitem(last=False)
                held[0] -= len(gone.body)
            self.hitungan["simpan"] += 1

    def _http_date(self, now: float) -> str:
        second = int(now)
        cached = self._date
        if cached[0] == second:
            return cached[1]
        text = http_date(second)
        self._date = (second, text)
        return text
