"""What a Dask worker does when it joins a batch: set Django up, once.

Kept apart from :mod:`lifecircle.batch` on purpose: a worker unpickles this plugin
before Django is ready, so this module imports nothing that needs the app registry.
"""

from __future__ import annotations

import django
from distributed import WorkerPlugin


class DjangoSetup(WorkerPlugin):
    """``django.setup()`` in each worker (settings from its ``DJANGO_SETTINGS_MODULE``)."""

    def setup(self, worker) -> None:
        django.setup()
