"""The analysis' Numba kernels: made ready ahead (warm) and never loaded stale (fresh_cache)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geo_klaster.analysis import compiled

_CHECK = """
import sys, numba
from geo_klaster.analysis import compiled, distance, reach, validity
from geo_klaster.analysis.pipeline import run_analysis
from geo_klaster.store import open_store

def kernels():
    # signatures compiled per kernel (not the ones inlined into others)
    return {
        f"{mod.__name__}.{name}": len(obj.signatures)
        for mod in (distance, reach, validity)
        for name, obj in vars(mod).items()
        if isinstance(obj, numba.core.registry.CPUDispatcher)
        and obj.targetoptions.get("inline") != "always"
    }

compiled.warm()
before = kernels()
run_analysis(open_store(sys.argv[1]).read_all())
print(before == kernels(), sorted(k for k, n in before.items() if n))
"""


def test_warm_readies_every_kernel_with_the_analysis_types(demo_store: Path) -> None:
    """In a fresh process, after warm() a real analysis compiles nothing more (no new
    signature on any kernel)."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", _CHECK, str(demo_store)],
        capture_output=True,
        text=True,
        check=True,
    )
    same, ready = done.stdout.strip().split(" ", 1)
    assert same == "True"
    for name in ("_distances", "_box_near", "_by_code", "_sort_codes", "_simple_rings"):
        assert name in ready


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in compiled.KERNEL_MODULES:
        (tmp_path / f"{name}.py").write_text(f"# {name}\n")
    (tmp_path / "__pycache__").mkdir()
    monkeypatch.setattr(compiled, "__file__", str(tmp_path / "compiled.py"))
    monkeypatch.setattr(compiled, "_checked", False)
    return tmp_path


def _cached(cache: Path) -> list[str]:
    for name in ("validity._simple_ring-33.py311.nbi", "validity._simple_ring-33.py311.1.nbc"):
        (cache / name).write_text("machine code")
    return sorted(p.name for p in cache.iterdir())


def test_fresh_cache_drops_kernels_when_any_kernel_source_changes(fake_package: Path) -> None:
    cache = fake_package / "__pycache__"
    (cache / "other.cpython-311.pyc").write_text("bytecode")
    _cached(cache)
    compiled.fresh_cache()  # no stamp yet: whatever is cached may be stale
    assert sorted(p.name for p in cache.iterdir()) == [
        "numba-kernels.sha256",
        "other.cpython-311.pyc",
    ]
    kept = _cached(cache)
    compiled._checked = False
    compiled.fresh_cache()  # same sources: the cache stays
    assert sorted(p.name for p in cache.iterdir()) == kept
    (fake_package / "distance.py").write_text("# distance, changed\n")  # validity unchanged
    compiled._checked = False
    compiled.fresh_cache()
    assert not list(cache.glob("validity.*"))
