#!/usr/bin/env bash
# THE test command: `bash scripts/test.sh [pytest args...]` (CI runs it through .ci/run).
#
# Works on a fresh Debian machine (Python 3.11, run as root) and idempotently after that:
#   1. apt-get installs what is missing (PostgreSQL + PostGIS + pgRouting, gdal-bin, chromium,
#      fonts-liberation, poppler-utils); the presence checks are cheap, so a second run never calls apt.
#   2. .venv is created if missing and gets `pip install ".[test]"` (again only when
#      pyproject.toml changed); the project itself is then re-installed, NON-editable,
#      on every run so the tests exercise the current code as a user would get it.
#   3. a throwaway PostGIS server is started by scripts/postgis.sh on 127.0.0.1 and a free
#      port, exported as GEO_KLASTER_TEST_PG, and stopped (temp dir removed) on exit.
#   4. `.venv/bin/python -P -m pytest --import-mode=importlib "$@"`; its exit code is ours,
#      except that 5 ("no tests collected") is turned into a failure.
#
# Installed package vs. source tree: the tests must import geo_klaster from site-packages.
# `python -m` normally puts the cwd (the repo root, holding ./geo_klaster) first on
# sys.path; `-P` (Python >= 3.11) stops that, `--import-mode=importlib` stops pytest from
# inserting test directories' parents into sys.path, and PYTHONPATH is cleared. A check
# below fails the run if geo_klaster would still resolve to the source tree.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
log() { echo "test.sh: $*"; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# ---------------------------------------------------------------- 1. Debian packages
# Run a command with its output kept in a file, shown (the end of it) only on failure.
quiet() {
    local out rc=0
    out=$(mktemp)
    "$@" >"$out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$out"; rm -f "$out"; log "failed ($rc): $*"; exit 1
    fi
    rm -f "$out"
}

apt_install() {
    quiet $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends -o DPkg::Lock::Timeout=600 "$@"
}

pg_version() {  # newest PostgreSQL server installed, e.g. 15 ("" if none)
    local b
    b=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1)
    [ -n "$b" ] && basename "$(dirname "$(dirname "$b")")" || true
}

missing=()
PGV=$(pg_version)
[ -n "$PGV" ] || missing+=(postgresql)
[ -n "$PGV" ] && [ ! -f "/usr/share/postgresql/$PGV/extension/postgis.control" ] \
    && missing+=("postgresql-$PGV-postgis-3")
# pgRouting: the peer of the road-reach benchmark (benchmarks/roads.py)
[ -n "$PGV" ] && [ ! -f "/usr/share/postgresql/$PGV/extension/pgrouting.control" ] \
    && missing+=("postgresql-$PGV-pgrouting")
command -v shp2pgsql >/dev/null || missing+=(postgis)
{ command -v ogrinfo && command -v ogr2ogr; } >/dev/null || missing+=(gdal-bin)
command -v chromium >/dev/null || missing+=(chromium)
[ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
# pdfinfo/pdftotext/pdftoppm: the printed readiness sheet is counted, read and rendered
command -v pdfinfo >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]} (apt-get, a few minutes on a new machine)"
    quiet $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_install "${missing[@]}"
    PGV=$(pg_version)
    [ -n "$PGV" ] || { log "no PostgreSQL server after apt-get install"; exit 1; }
    # PostgreSQL was not there before: only now do we know which postgis-3 package fits.
    [ -f "/usr/share/postgresql/$PGV/extension/postgis.control" ] \
        || apt_install "postgresql-$PGV-postgis-3"
    [ -f "/usr/share/postgresql/$PGV/extension/pgrouting.control" ] \
        || apt_install "postgresql-$PGV-pgrouting"
fi

# ---------------------------------------------------------------- 2. venv + install
# Several people may run this in one tree at once: installs take an exclusive lock,
# test runs a shared one, so nobody re-installs the package under a running test session.
LOCK="/tmp/geo_klaster_test.$(printf '%s' "$ROOT" | md5sum | cut -c1-12).lock"
exec 9>"$LOCK"
if ! flock -x -n 9; then
    log "waiting for another test run in this tree to finish"
    flock -x 9
fi

unset PYTHONPATH
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
    log "creating .venv"
    python3 -m venv .venv
fi
STAMP=.venv/.geo_klaster_deps.sha256
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
    log "installing dependencies: pip install \".[test]\""
    quiet "$PY" -m pip install --disable-pip-version-check --upgrade pip "setuptools>=68" wheel
    quiet "$PY" -m pip install --disable-pip-version-check ".[test]"
    echo "$want" >"$STAMP"
fi
log "installing geo-klaster (non-editable) from the current tree"
rm -rf build ./*.egg-info  # stale build/lib would smuggle deleted modules into the wheel
quiet "$PY" -m pip install --disable-pip-version-check --no-deps --no-build-isolation \
    --force-reinstall .
rm -rf build ./*.egg-info

where=$("$PY" -P -c 'import geo_klaster; print(geo_klaster.__file__)')
case "$where" in
    "$ROOT"/geo_klaster/*) log "geo_klaster resolves to the source tree ($where)"; exit 1 ;;
esac
# the analysis' Numba kernels: compiled once after an install, then loaded from the cache
secs=$("$PY" -P -c 'from geo_klaster.analysis.compiled import warm; print(f"{warm():.1f}")')
log "analysis kernels compiled (Numba) in $secs s"

flock -s 9  # downgrade: other runs may install only once our tests are done

# ---------------------------------------------------------------- 3. PostGIS server
PGDIR=$(mktemp -d /tmp/geo_klaster_pg.XXXXXX)
cleanup() {
    bash "$ROOT/scripts/postgis.sh" stop "$PGDIR" 9>&- || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log "starting throwaway PostgreSQL $PGV + PostGIS"
GEO_KLASTER_TEST_PG=$(bash scripts/postgis.sh start "$PGDIR" 9>&-)
export GEO_KLASTER_TEST_PG
log "GEO_KLASTER_TEST_PG=$GEO_KLASTER_TEST_PG"

# ---------------------------------------------------------------- 4. pytest
log "running pytest (geo_klaster from ${where%/__init__.py})"
set +e
"$PY" -P -m pytest --import-mode=importlib "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    log "pytest collected no tests: failing"
    rc=1
fi
log "pytest exit code $rc"
exit "$rc"
