"""Frame values -> plain Python values for a store, shared by every backend.

Missing values (None, NaN, NaT, pd.NA) become None; times become naive UTC timestamps
truncated to milliseconds, so that every backend holds exactly the same values.
"""

from __future__ import annotations

import pandas as pd


def is_missing(value: object) -> bool:
    if value is None or isinstance(value, str):
        return value is None
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def plain(value: object, ftype: str) -> object:
    """``value`` as the schema type ``ftype``: str, int, float, bool, date text or a Timestamp."""
    if is_missing(value):
        return None
    if ftype == "str":
        return str(value)
    if ftype == "int":
        return int(value)  # type: ignore[call-overload]
    if ftype == "float":
        return float(value)  # type: ignore[arg-type]
    if ftype == "bool":
        return bool(value)
    if ftype == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")  # type: ignore[arg-type]
    if ftype == "datetime":
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return ts.floor("ms")
    raise ValueError(ftype)


def millis(ts: pd.Timestamp) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm`` of a naive UTC timestamp."""
    return ts.strftime("%Y-%m-%d %H:%M:%S.") + f"{ts.microsecond // 1000:03d}"
