"""WSGI entry point of the web server (runserver, gunicorn).

Every database session of a web process gets ``statement_timeout``
(``GEOAPP_WEB_STATEMENT_TIMEOUT_MS``, default 60 s): no request holds a query longer,
whatever it asks for. Commands and the analysis worker do not load this module and run
without it; public reads set their own, shorter timeout (public/README.md).

Every database session of a web process also runs the coordinate transforms of the
map tiles once when it opens (:func:`_warm_transforms`): the first ``ST_Transform``
of a PostgreSQL session loads PostGIS and builds PROJ's transformation between the two
CRSs, 150-380 ms for each of the tiles' two (WGS 84 -> ``settings.SRID`` for the tile's
bounds, ``settings.SRID`` -> Web Mercator for the features) on the 2-core benchmark
machine. Without it the first tile each new session served paid that: the cold pan
of the planner map waited for it.
"""

import logging
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError
from django.db.backends.signals import connection_created

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.prod")
application = get_wsgi_application()
log = logging.getLogger(__name__)


def _statement_timeout(sender, connection, **kwargs) -> None:
    ms = int(settings.GEOAPP_WEB_STATEMENT_TIMEOUT_MS)
    if ms > 0 and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('statement_timeout', %s, false)", [f"{ms}"])


connection_created.connect(_statement_timeout, dispatch_uid="geoapp-web-timeout")


def _warm_transforms(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    ex = settings.CITY_EXTENT
    try:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT ST_Transform(ST_Transform(ST_SetSRID(ST_MakePoint("
                "%s::float8, %s::float8), 4326), %s), 3857)",
                [(ex[0] + ex[2]) / 2, (ex[1] + ex[3]) / 2, settings.SRID],
            )
    except DatabaseError:  # e.g. PostGIS not installed yet: the tiles pay it later
        log.warning("could not build the tiles' transforms at connect", exc_info=True)


connection_created.connect(_warm_transforms, dispatch_uid="geoapp-web-transforms")
