"""What the web app reads and computes once per data version.

The store's :meth:`~geo_klaster.store.Store.version` is raised by every write. Each request
asks for it (a few ``stat()`` calls on a GeoPackage, one small query on PostGIS); while it
is unchanged, the layers, the analysis of each
(scenario, reach, days, date) and every serialised GeoJSON body are reused from a
:class:`Snapshot`. A new version starts a new snapshot, so new data are never served stale.

Thread safety: waitress answers from several threads. Each memoised value has its own lock,
so a slow analysis is computed once while other requests wait for it (and requests for
values already computed do not wait at all).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from geo_klaster.analysis import AnalysisResult, run_analysis
from geo_klaster.config import AnalysisConfig
from geo_klaster.store import Store, open_store

if TYPE_CHECKING:
    import pandas as pd  # annotations only: this module hands frames on, it computes nothing

T = TypeVar("T")


@dataclass(frozen=True)
class Parameter:
    """The parameters of one analysis (the cache key of its result)."""

    skenario: str
    jarak_km: float
    hari: int
    tanggal: dt.date
    per: dt.date | None = None  # a date asked for with ``?per=`` (then ``tanggal == per``)

    def query(self) -> dict[str, str]:
        """As query-string arguments (the date only when asked for with ``per``; otherwise
        the server decides it)."""
        args = {"skenario": self.skenario, "jarak_km": f"{self.jarak_km:g}", "hari": str(self.hari)}
        if self.per is not None:
            args["per"] = self.per.isoformat()
        return args


@dataclass
class Snapshot:
    """The store's layers at one data version, and everything derived from them."""

    version: int
    layers: dict[str, pd.DataFrame]
    demo: bool
    skenario: list[str]
    _values: dict[Any, Any] = field(default_factory=dict)
    _locks: dict[Any, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key: Any, build: Callable[[], T], counter: Counter[str] | None = None) -> T:
        """The value stored under ``key``, built once by ``build`` (counted in ``counter``)."""
        try:
            return self._values[key]
        except KeyError:
            pass
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                if counter is not None:
                    counter[key[0] if isinstance(key, tuple) else str(key)] += 1
                self._values[key] = build()
            return self._values[key]


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

    def __init__(self, location: str, *, config: AnalysisConfig | None = None) -> None:
        self.location = str(location)
        self.config = config or AnalysisConfig()
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
            # The version was read before the layers: if a write slips in between, the
            # snapshot is labelled with the older version and the next request reloads it.
            layers = store.read_all()
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
            ),
            self.hitungan,
        )

    def memo(self, snap: Snapshot, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Any derived value (GeoJSON bytes, a rendered map) once per data version."""
        return snap.memo(key, build, self.hitungan)
