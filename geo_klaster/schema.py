"""Layer schemas, declared once in ``layers/schema.toml``.

The same declaration validates imports (:mod:`geo_klaster.inputs.validate`), creates the store's
tables (:mod:`geo_klaster.store`) and documents the layers (:func:`markdown_table`, which the
README's layer table must equal; a test holds them equal).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache

from geo_klaster import layers

GEOMETRY_TYPES = ("MultiPolygon", "MultiLineString", "Point", "none")
FIELD_TYPES = ("str", "int", "float", "bool", "date", "datetime")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    min: float | str | None = None  # a number, or for date/datetime a time (see bound_time)
    max: float | str | None = None
    max_per: str | None = None  # the maximum may differ per value of this field (maks_per_barang)
    gt: float | None = None  # exclusive minimum (e.g. a speed must be > 0)
    ref: tuple[str, str] | None = None  # (layer, field)
    personal: bool = False
    default: object = None
    doc: str = ""
    offset: bool = False  # datetime that must carry a UTC offset (ISO 8601, e.g. +07:00)


@dataclass(frozen=True)
class LayerSchema:
    name: str
    title: str
    description: str
    geometry: str  # "MultiPolygon", "MultiLineString", "Point" or "none"
    key: str | None
    fields: tuple[FieldSpec, ...]
    maks_per_barang: tuple[tuple[str, float], ...] = ()  # item code -> maximum per line

    def maximum(self, spec: FieldSpec, item: object) -> float | None:
        """The largest plausible value of numeric field ``spec`` for ``item`` (its own bound
        from ``maks_per_barang`` if declared, else the field's ``max``)."""
        if spec.max_per and item is not None:
            own = dict(self.maks_per_barang).get(str(item))
            if own is not None:
                return own
        return spec.max if isinstance(spec.max, (int, float)) else None

    @property
    def has_geometry(self) -> bool:
        return self.geometry != "none"

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def personal_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.personal]

    @property
    def refs(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.ref]


def _parse_layer(name: str, raw: dict) -> LayerSchema:
    geometry = raw.get("geometry", "none")
    if geometry not in GEOMETRY_TYPES:
        raise ValueError(f"schema {name}: unknown geometry {geometry!r}")
    fields = []
    for fname, spec in raw.get("fields", {}).items():
        ftype = spec["type"]
        if ftype not in FIELD_TYPES:
            raise ValueError(f"schema {name}.{fname}: unknown type {ftype!r}")
        ref = tuple(spec["ref"].split(".", 1)) if "ref" in spec else None
        fields.append(
            FieldSpec(
                name=fname,
                type=ftype,
                required=bool(spec.get("required", False)),
                enum=tuple(spec["enum"]) if "enum" in spec else None,
                pattern=spec.get("pattern"),
                min=spec.get("min"),
                max=spec.get("max"),
                max_per=spec.get("max_per"),
                gt=spec.get("gt"),
                ref=ref,  # type: ignore[arg-type]
                personal=bool(spec.get("personal", False)),
                default=spec.get("default"),
                doc=spec.get("doc", ""),
                offset=bool(spec.get("offset", False)),
            )
        )
    key = raw.get("key")
    if key is not None and key not in [f.name for f in fields]:
        raise ValueError(f"schema {name}: key {key!r} is not a field")
    return LayerSchema(
        name=name,
        title=raw.get("title", name),
        description=raw.get("description", ""),
        geometry=geometry,
        key=key,
        fields=tuple(fields),
        maks_per_barang=tuple(
            (str(k), float(v)) for k, v in raw.get("maks_per_barang", {}).items()
        ),
    )


@cache
def schemas() -> dict[str, LayerSchema]:
    """All layer schemas, in declaration order (read from the packaged TOML on first use)."""
    with open(layers.SCHEMA_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    out = {name: _parse_layer(name, spec) for name, spec in raw.items()}
    for schema in out.values():
        for f in schema.refs:
            assert f.ref is not None
            target, tfield = f.ref
            if target not in out or tfield != out[target].key:
                raise ValueError(f"schema {schema.name}.{f.name}: bad ref {f.ref}")
    return out


_BOUND_NOW = re.compile(r"^sekarang(?:\s*\+\s*(\d+)\s*hari)?$")


def bound_time(bound: object, now: dt.datetime | None = None) -> dt.datetime | None:
    """A time bound of a date/datetime field as a naive UTC datetime.

    ``"2000-01-01"`` is that day; ``"sekarang"`` is now and ``"sekarang + 1 hari"`` is now
    plus one day (UTC). None (or a number) means no bound.
    """
    if not isinstance(bound, str):
        return None
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    m = _BOUND_NOW.match(bound.strip())
    if m:
        return now + dt.timedelta(days=int(m.group(1) or 0))
    return dt.datetime.fromisoformat(bound)


def layer_names() -> list[str]:
    return list(schemas())


def get(layer: str) -> LayerSchema:
    """The schema of ``layer``; raises NotFoundError naming the known layers."""
    from geo_klaster.errors import NotFoundError

    try:
        return schemas()[layer]
    except KeyError:
        raise NotFoundError(
            f"lapisan tidak dikenal / unknown layer '{layer}'; "
            f"lapisan yang ada: {', '.join(schemas())}"
        ) from None


def dependents(layer: str) -> list[tuple[LayerSchema, FieldSpec]]:
    """Layers and fields that refer to ``layer``'s key."""
    return [(s, f) for s in schemas().values() for f in s.refs if f.ref and f.ref[0] == layer]


def markdown_table() -> str:
    """The layer table of the README, generated from the schemas."""
    lines = [
        "| lapisan | geometri | kunci | kolom (wajib*, pribadi†) |",
        "|---|---|---|---|",
    ]
    for s in schemas().values():
        cols = []
        for f in s.fields:
            mark = ("*" if f.required else "") + ("†" if f.personal else "")
            extra = ""
            if f.enum:
                extra = " (" + "/".join(f.enum) + ")"
            elif f.ref:
                extra = f" → {f.ref[0]}.{f.ref[1]}"
            cols.append(f"`{f.name}`{mark} {f.type}{extra}")
        geom = "—" if s.geometry == "none" else s.geometry
        key = f"`{s.key}`" if s.key else "—"
        lines.append(f"| `{s.name}` | {geom} | {key} | {', '.join(cols)} |")
    return "\n".join(lines)
