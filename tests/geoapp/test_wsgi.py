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
        connection.close()
    assert wsgi.application is not None
