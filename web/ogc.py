"""OGC API – Features Part 1 under ``/ogc``: the thin Flask shell over :mod:`geo_klaster.web.ogc_core`.

Routes
------
``/ogc``                                   landing page (links self, service-desc, conformance, data)
``/ogc/conformance``                       core, geojson, oas30
``/ogc/api``                               OpenAPI 3.0 (``application/vnd.oai.openapi+json;version=3.0``)
``/ogc/collections``                       every store layer and analysis result
``/ogc/collections/<id>``                  one collection (title, description, extent in CRS84)
``/ogc/collections/<id>/items``            a page of features (``limit``, ``offset``, ``bbox``)
``/ogc/collections/<id>/items/<featureId>``  one feature

Each view parses the request, takes the data of this request's snapshot (serialised once per
data version through :class:`~web.cache.DataCache`; results once per analysis parameters) and
hands both to a plain function. Every error under ``/ogc`` is an OGC exception
``{"code": ..., "description": ...}`` (``application/json``). Answers are anonymous: no
personal data (UU 27/2022), whoever asks.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, request
from geo_klaster.web import context, ogc_core, ogc_openapi, params, ready
from geo_klaster.web.ogc_core import Answer, CollectionDef, FeatureTable, OgcError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from geo_klaster.errors import KlasterError, NotFoundError, StoreError

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
clock = time.time  # an items page's timeStamp (tests fix it)


class _AnyPath(PathConverter):
    """Like ``path``, but a newline in a feature id still reaches our views (and their 404)."""

    regex = r"[^/][\s\S]*?"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("ogc_path", _AnyPath))

TITLE = "geo_klaster — OGC API Features"
DESCRIPTION = (
    "Lapisan dan hasil analisis klaster logistik penanggulangan bencana sebagai OGC API – "
    "Features (GeoJSON). Tambahkan alamat ini di QGIS atau GDAL (OAPIF:<alamat>)."
)


def _base() -> str:
    return request.url_root.rstrip("/") + (bp.url_prefix or "")


def _ready(answer: Answer, *, data: bool = True) -> Response:
    """A 200 answer that may be kept ready (:mod:`geo_klaster.web.ready`): OGC answers are the
    same for everyone. ``data``: it depends on the store's data (else on the request only)."""
    ready.keep(context.snapshot().version if data else None)
    return _send(answer)


def _send(answer: Answer) -> Response:
    headers, status, body = answer
    resp = Response(body, status=status)
    for name, value in headers.items():
        resp.headers[name] = value
    return resp


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items()}


def _layer_table(name: str) -> FeatureTable:
    snap = context.snapshot()
    return context.cache().memo(
        snap, ("ogc", name), lambda: ogc_core.layer_table(name, snap.layers[name])
    )


def _hasil_table(cid: str) -> FeatureTable:
    p = context.parameter()
    result = context.analysis(p)
    return context.cache().memo(
        context.snapshot(), ("ogc", cid, p), lambda: ogc_core.hasil_table(cid, result)
    )


def _table(c: CollectionDef) -> FeatureTable:
    return _hasil_table(c.id) if c.hasil else _layer_table(c.id)


def _analysis_query(args: dict[str, str]) -> dict[str, str]:
    return {k: args[k] for k in ogc_core.ANALISIS_PARAMS if k in args}


def _collection(cid: str, *, items: bool = False) -> tuple[CollectionDef, dict[str, str]]:
    """The collection named in the path (404) and the request's arguments, checked (400)."""
    c = ogc_core.find_collection(cid)
    args = _args()
    ogc_core.check_params(args, ogc_core.allowed_params(c, items=items))
    return c, args


@bp.get("")
@bp.get("/")
def landing() -> Response:
    ogc_core.check_params(_args(), {"f"})
    return _ready(ogc_core.landing(_base(), title=TITLE, description=DESCRIPTION), data=False)


@bp.get("/conformance")
def conformance() -> Response:
    ogc_core.check_params(_args(), {"f"})
    return _ready(ogc_core.conformance(), data=False)


@bp.get("/api")
def api() -> Response:
    ogc_core.check_params(_args(), {"f"})
    base = _base()
    doc = context.cache().memo(
        context.snapshot(),
        ("ogc", "openapi", base),
        lambda: ogc_core.json_bytes(
            ogc_openapi.document(base, ogc_core.collection_defs(), title=TITLE)
        ),
    )
    return _ready(({"Content-Type": ogc_core.OPENAPI}, 200, doc))


@bp.get("/collections")
def collections() -> Response:
    args = _args()
    ogc_core.check_params(args, ogc_core.allowed_params(None))
    snap = context.snapshot()
    entries = []
    for c in ogc_core.collection_defs():
        if c.hasil and not snap.skenario:
            continue  # no flood zones yet: no analysis, so no result collections
        entries.append((c, _table(c)))
    return _ready(ogc_core.collections(entries, _base(), _analysis_query(args)))


@bp.get("/collections/<cid>")
def collection(cid: str) -> Response:
    c, args = _collection(cid)
    return _ready(ogc_core.collection(c, _table(c), _base(), _analysis_query(args)))


@bp.get("/collections/<cid>/items")
def items(cid: str) -> Response:
    c, args = _collection(cid, items=True)
    q = ogc_core.items_query(args)
    table = _table(c)
    now = clock()
    ready.until(int(now) + 1)  # timeStamp, to the second
    resp = _ready(ogc_core.items(c, table, q, _base(), args, now=now))
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/collections/<cid>/items/<ogc_path:feature_id>")
def item(cid: str, feature_id: str) -> Response:
    c, args = _collection(cid)
    return _ready(ogc_core.feature(c, _table(c), feature_id, _base(), _analysis_query(args)))


@bp.route("/<ogc_path:rest>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> Response:
    """Anything else under /ogc: an OGC exception, never the HTML error page."""
    if request.method not in ("GET", "HEAD"):
        raise OgcError(405, "MethodNotAllowed", f"metode {request.method} tidak didukung")
    raise ogc_core.not_found(f"alamat tidak dikenal: {request.path}")


# -- errors: OGC exceptions for everything raised under /ogc ----------------------------------


@bp.errorhandler(OgcError)
def _ogc_error(exc: OgcError) -> Response:
    return _send(ogc_core.error_answer(exc.status, exc.code, exc.description))


@bp.errorhandler(params.WebError)
def _web_error(exc: params.WebError) -> Response:
    code = {400: "InvalidParameterValue", 404: "NotFound", 503: "ServiceUnavailable"}
    name = f" ({exc.parameter})" if exc.parameter else ""
    return _send(
        ogc_core.error_answer(exc.status, code.get(exc.status, "Error"), exc.message + name)
    )


@bp.errorhandler(NotFoundError)
def _not_found(exc: NotFoundError) -> Response:
    return _send(ogc_core.error_answer(404, "NotFound", exc.message))


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> Response:
    return _send(ogc_core.error_answer(503, "ServiceUnavailable", exc.message))


@bp.errorhandler(KlasterError)
def _klaster_error(exc: KlasterError) -> Response:
    return _send(ogc_core.error_answer(400, "InvalidParameterValue", exc.message))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    return _send(ogc_core.error_answer(status, exc.name.replace(" ", ""), exc.description or ""))
