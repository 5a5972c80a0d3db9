"""What the web app reads and computes once per data version.

The store's :meth:`~geo_klaster.store.Store.version` is raised by every write. Each request
asks for it (a few ``stat()`` calls on a GeoPackage, one small query on PostGIS); while it
is unchanged, the layers, the analysis of each
(scenario, reach, days, date) and every serialised GeoJSON body are reused from a
:class:`Snapshot`. A new version starts a new snapshot, so new data are never served stale;
it reloads only the layers whose own data version (:meth:`Store.layer_versions`) moved. The
derived values of a snapshot are bounded in bytes (least recently used go first).

Thread safety: waitress answers from several threads. Each memoised value has its own lock,
so a slow analysis is computed once while other requests wait for it (and requests for
values already computed do not wait at all).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from geo_klaster.analysis.pipeline import AnalysisResult, run_analysis
from geo_klaster.config import AnalysisConfig
from geo_klaster.memory import estimate_bytes
from geo_klaster.schema import layer_names
from geo_klaster.store import Store, open_store

if TYPE_CHECKING:
    import pandas as pd  # annotations only: this module hands frames on, it computes nothing

T = TypeVar("T")


@dataclass(frozen=True)
class Parameter:
    """The parameters of one analysis (the cache key of its result).

    Keys are normalised when made: the reach is rounded to 10 m (``jarak_km=15``,
    ``15.0`` and ``15.000001`` are one key) and the scenario name stripped.
    """

    skenario: str
    jarak_km: float
    hari: int
    tanggal: dt.date
    per: dt.date | None = None  # a date asked for with ``?per=`` (then ``tanggal == per``)
    jangkauan: str = "garis"  # ``garis`` (straight line) or ``jalan`` (travel time on roads)
    menit: float = 60.0  # road reach, minutes

    def __post_init__(self) -> None:
        object.__setattr__(self, "skenario", str(self.skenario).strip())
        object.__setattr__(self, "jarak_km", round(float(self.jarak_km), 2) + 0.0)
        object.__setattr__(self, "hari", int(self.hari))
        object.__setattr__(self, "menit", round(float(self.menit), 2) + 0.0)

    def query(self) -> dict[str, str]:
        """As query-string arguments (the date only when asked for with ``per``; otherwise
        the server decides it)."""
        args = {"skenario": self.skenario, "jarak_km": f"{self.jarak_km:g}", "hari": str(self.hari)}
        if self.per is not None:
            args["per"] = self.per.isoformat()
        if self.jangkauan == "jalan":
            args["jangkauan"] = "jalan"
            args["menit"] = f"{self.menit:g}"
        return args


CACHE_MB_DEFAULT = 256  # bytes of derived values kept per data version (BATAS_CACHE_MB)


@dataclass
class Snapshot:
    """The store's layers at one data version, and everything derived from them.

    Derived values are kept least recently used first within ``max_bytes`` (estimated with
    :func:`estimate_bytes`): an anonymous loop over parameters cannot grow the server
    without bound; an evicted value is simply computed again when asked for.
    """

    version: int
    layers: dict[str, pd.DataFrame]
    demo: bool
    skenario: list[str]
    layer_versions: dict[str, int] = field(default_factory=dict)
    max_bytes: int = CACHE_MB_DEFAULT * 1_000_000
    _values: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    _sizes: dict[Any, int] = field(default_factory=dict)

    @property
    def ada_jalan(self) -> bool:
        """The store holds roads (``?jangkauan=jalan`` possible)."""
        jalan = self.layers.get("jalan")
        return jalan is not None and len(jalan) > 0

    _locks: dict[Any, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cached_bytes(self) -> int:
        """Estimated bytes of the derived values held now."""
        return sum(self._sizes.values())

    def memo(self, key: Any, build: Callable[[], T], counter: Counter[str] | None = None) -> T:
        """The value stored under ``key``, built once by ``build`` (counted in ``counter``)."""
        with self._guard:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
            if counter is not None:
                counter[key[0] if isinstance(key, tuple) else str(key)] += 1
            value = build()
            self._keep(key, value)
            with self._guard:
                self._locks.pop(key, None)
            return value

    def _keep(self, key: Any, value: Any) -> None:
        size = estimate_bytes(value)
        with self._guard:
            if size > self.max_bytes:
                return  # larger than the whole cache: served, not kept
            self._values[key] = value
            self._sizes[key] = size
            total = sum(self._sizes.values())
            while total > self.max_bytes:
                old, _ = self._values.popitem(last=False)
                total -= self._sizes.pop(old)


class DataCache:
    """Snapshots of one store, refreshed when its data version changes.

    Parameters
    ----------
    location
        The store (a GeoPackage path).
    config
        Analysis settings (defaults of :class:`~geo_klaster.config.AnalysisConfig`).

    Attributes
    ----------
    hitungan
        How many times each kind of value was built (``"analisis"``, ``"geojson"``, ...):
        tests use it to check that nothing is recomputed.
    """

    def __init__(
        self,
        location: str,
        *,
        config: AnalysisConfig | None = None,
        cache_mb: float = CACHE_MB_DEFAULT,
    ) -> None:
        self.location = str(location)
        self.config = config or AnalysisConfig()
        self.max_bytes = int(cache_mb * 1_000_000)
        self.hitungan: Counter[str] = Counter()
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._store: Store | None = None

    def store(self) -> Store:
        """One store object for the app's life: it keeps what makes ``version()`` cheap
        (the GeoPackage's file signature, the PostGIS connection pool). Store objects
        open a connection per operation, so sharing one between threads is safe."""
        if self._store is None:
            self._store = open_store(self.location)
        return self._store

    def snapshot(self) -> Snapshot:
        """The current snapshot (re-read only when the store's version changed)."""
        store = self.store()
        version = store.version()
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.version == version:
                return snap
            self.hitungan["lapisan"] += 1
            # The versions are read before the layers: if a write slips in between, the
            # snapshot is labelled with older versions and the next request reloads the
            # layers it touched. Layers no write touched are taken from the old snapshot.
            layer_versions = store.layer_versions()
            layers = {}
            for name in layer_names():
                if (
                    snap is not None
                    and name in snap.layers
                    and snap.layer_versions.get(name, 0) == layer_versions.get(name, 0)
                ):
                    layers[name] = snap.layers[name]
                else:
                    self.hitungan[f"lapisan:{name}"] += 1
                    layers[name] = store.read(name)
            zona = layers.get("zona_banjir")
            names = (
                sorted(set(zona["skenario"].dropna().astype(str)))
                if zona is not None and "skenario" in zona
                else []
            )
            snap = Snapshot(
                version=version,
                layers=layers,
                demo=store.get_meta("demo") == "1",
                skenario=names,
                layer_versions=layer_versions,
                max_bytes=self.max_bytes,
            )
            self._snapshot = snap
            return snap

    def analysis(self, snap: Snapshot, p: Parameter) -> AnalysisResult:
        """The analysis for ``p`` on ``snap``'s data, computed once per data version."""
        return snap.memo(
            ("analisis", p),
            lambda: run_analysis(
                snap.layers,
                skenario=p.skenario,
                config=self.config,
                today=p.tanggal,
                jarak_km=p.jarak_km,
                hari=p.hari,
                jangkauan=p.jangkauan,
                menit=p.menit,
            ),
            self.hitungan,
        )

    def memo(self, snap: Snapshot, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Any derived value (GeoJSON bytes, a rendered map) once per data version."""
        return snap.memo(key, build, self.hitungan)
