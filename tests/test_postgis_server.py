"""Sanity check of the throwaway PostGIS server that scripts/test.sh starts."""

import pytest

pytestmark = pytest.mark.postgis


def test_postgis_server_distance_in_utm_48s(pg_conn):
    (version,) = pg_conn.execute("SELECT postgis_version()").fetchone()
    assert version, "postgis_version() returned nothing"

    # Two points 3000 m apart in UTM zone 48S (EPSG:32748, Jakarta/West Java), taken to
    # WGS 84 and back with ST_Transform: this needs the server's PROJ database to work.
    row = pg_conn.execute(
        """
        WITH p AS (
            SELECT ST_Transform(ST_SetSRID(ST_MakePoint(700000, 9300000), 32748), 4326) AS a,
                   ST_Transform(ST_SetSRID(ST_MakePoint(703000, 9300000), 32748), 4326) AS b
        )
        SELECT ST_X(a), ST_Y(a),
               ST_Distance(ST_Transform(a, 32748), ST_Transform(b, 32748))
        FROM p
        """
    ).fetchone()
    lon, lat, distance = row
    assert 106.0 < lon < 108.0 and -7.0 < lat < -6.0, (lon, lat)  # near Jakarta
    assert distance == pytest.approx(3000.0, abs=0.001)
