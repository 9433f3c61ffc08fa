"""The web server's database sessions carry a statement timeout (geoapp/wsgi.py)."""

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from geoapp import wsgi


@pytest.mark.django_db(transaction=True)
def test_web_sessions_have_a_statement_timeout(settings):
    settings.GEOAPP_WEB_STATEMENT_TIMEOUT_MS = 1500
    try:
        connection.close()
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("SHOW statement_timeout")
            assert cur.fetchone()[0] == "1500ms"
            cur.execute("SELECT pg_sleep(0.1)")  # short queries still run
    finally:
        connection_created.disconnect(dispatch_uid="geoapp-web-timeout")
        connection_created.disconnect(dispatch_uid="geoapp-web-transforms")
        connection.close()
    assert wsgi.application is not None


@pytest.mark.django_db(transaction=True)
def test_web_sessions_open_with_the_tiles_transforms_built():
    # the first ST_Transform of a session costs 150-380 ms (PROJ): paid at connect
    connection_created.connect(
        wsgi._warm_transforms, dispatch_uid="geoapp-web-transforms"
    )
    try:
        connection.close()
        connection.ensure_connection()  # runs the transforms once, without error
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchone() == (1,)
        # the timing it buys: a transform in this session is now cheap
        with connection.cursor() as cur:
            cur.execute(
                "SELECT clock_timestamp() AS t0, ST_Transform(ST_Transform("
                "ST_SetSRID(ST_MakePoint(121.55, 29.87), 4326), 4549), 3857),"
                " clock_timestamp() AS t1"
            )
            t0, _geom, t1 = cur.fetchone()
        assert (t1 - t0).total_seconds() < 0.1  # 150-380 ms unwarmed
    finally:
        connection_created.disconnect(dispatch_uid="geoapp-web-timeout")
        connection_created.disconnect(dispatch_uid="geoapp-web-transforms")
        connection.close()
