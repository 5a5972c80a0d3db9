"""analysis.validity.is_valid: the compiled check gives shapely.is_valid's answer, always."""

from __future__ import annotations

import numpy as np
import shapely

from geo_klaster.analysis.validity import _simple_rings, is_valid


def _certified(geoms: np.ndarray) -> np.ndarray:
    """Which plain polygons the kernel itself proves valid (no GEOS)."""
    count = shapely.get_num_coordinates(geoms)
    start = np.concatenate([[0], np.cumsum(count)])
    return _simple_rings(shapely.get_coordinates(geoms), start)


def _stars(rng: np.random.Generator, n: int, jag: float, x0: float, y0: float) -> np.ndarray:
    """Jagged star polygons around random centres; a large ``jag`` makes many self-intersect."""
    ang = np.sort(rng.uniform(0, 2 * np.pi, (n, 30)), axis=1)
    ang[: n // 3] = rng.uniform(0, 2 * np.pi, (n // 3, 30))  # unsorted: mostly bowties
    rad = 1000 * (1 + jag * rng.uniform(-1, 1, (n, 30)))
    cx = x0 + rng.uniform(0, 5e5, (n, 1))
    cy = y0 + rng.uniform(0, 5e5, (n, 1))
    return shapely.polygons(np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], axis=-1))


def test_random_polygons_valid_and_invalid_get_geos_answer() -> None:
    rng = np.random.default_rng(13)
    geoms = np.concatenate(
        [_stars(rng, 1500, 0.25, 200_000, 9_000_000), _stars(rng, 1500, 0.9, -1e-3, -1e-3)]
    )
    expected = shapely.is_valid(geoms)
    assert expected.sum() > 500 and (~expected).sum() > 500  # both kinds, many
    got = is_valid(geoms)
    assert (got == expected).all()
    fast = _certified(geoms)
    assert fast.sum() > 0.9 * expected.sum()  # the kernel itself decides most valid ones
    assert not (fast & ~expected).any()  # and never calls an invalid one valid


def _with_nan() -> shapely.Polygon:
    with np.errstate(invalid="ignore"):
        return shapely.polygons([(0, 0), (10, 0), (np.nan, 10), (0, 10), (0, 0)])


def test_hand_made_cases_get_geos_answer() -> None:
    sq = [(0, 0), (10, 0), (10, 10), (0, 10)]
    cases = {
        "square": (shapely.Polygon(sq), True),
        "triangle": (shapely.Polygon([(0, 0), (10, 0), (5, 7)]), True),
        "repeated points": (shapely.Polygon([(0, 0), (0, 0), (10, 0), (10, 10), (10, 10)]), True),
        "straight vertex": (shapely.Polygon([(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)]), True),
        "bowtie": (shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]), False),
        # the ring comes back to its vertex (5, 5): a self-touching ring is invalid
        "self-touch": (
            shapely.Polygon([(0, 0), (10, 0), (5, 5), (10, 10), (0, 10), (5, 5)]),
            False,
        ),
        "vertex on an edge": (
            shapely.Polygon([(0, 0), (10, 0), (10, 10), (5, 0.0), (0, 10)]),
            False,
        ),
        "spike": (shapely.Polygon([(0, 0), (10, 0), (10, 10), (12, 10), (10, 10), (0, 10)]), False),
        "too few points": (shapely.Polygon([(0, 0), (1, 1), (0, 0), (0, 0)]), False),
        "hair apart": (shapely.Polygon([(0, 0), (10, 0), (10, 10), (5, 1e-12), (0, 10)]), True),
        "nan": (_with_nan(), False),
        "hole": (shapely.Polygon(sq, [[(2, 2), (4, 2), (4, 4)]]), True),
        "hole outside": (shapely.Polygon(sq, [[(20, 2), (24, 2), (24, 4)]]), False),
        "multipolygon": (
            shapely.MultiPolygon([shapely.Polygon(sq), shapely.box(1, 1, 2, 2)]),
            False,
        ),
        "empty": (shapely.Polygon(), True),
        "missing": (None, False),
        "z": (shapely.Polygon([(0, 0, 1), (10, 0, 2), (10, 10, 3), (0, 10, 4)]), True),
    }
    geoms = np.array([g for g, _ in cases.values()], dtype=object)
    expected = np.array([v for _, v in cases.values()])
    assert (shapely.is_valid(geoms) == expected).all()  # the cases say what GEOS says
    got = is_valid(geoms)
    assert dict(zip(cases, got.tolist(), strict=True)) == dict(
        zip(cases, expected.tolist(), strict=True)
    )
    plain = np.array([shapely.Polygon(sq), shapely.Polygon([(0, 0), (10, 0), (5, 7)])])
    assert _certified(plain).all()
