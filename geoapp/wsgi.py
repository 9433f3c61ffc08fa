"""WSGI entry point of the web server (runserver, gunicorn).

Every database session of a web process gets ``statement_timeout``
(``GEOAPP_WEB_STATEMENT_TIMEOUT_MS``, default 60 s): no request holds a query longer,
whatever it asks for. Commands and the analysis worker do not load this module and run
without it; public reads set their own, shorter timeout (public/README.md).
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.prod")
application = get_wsgi_application()


def _statement_timeout(sender, connection, **kwargs) -> None:
    ms = int(settings.GEOAPP_WEB_STATEMENT_TIMEOUT_MS)
    if ms > 0 and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('statement_timeout', %s, false)", [f"{ms}"])


connection_created.connect(_statement_timeout, dispatch_uid="geoapp-web-timeout")
