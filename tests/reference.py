"""The reference data the data migrations load (categories, the default rule set, the
programme data), put back into a database whose tables were flushed."""

from __future__ import annotations

import functools
import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

DATA_MIGRATIONS = (
    "layers.migrations.0002_load_amenity_categories",
    "geoapp.migrations.0007_reload_default_ruleset",
    "geoapp.migrations.0005_capacity",
    "programme.migrations.0004_reload_programme_data",
    "lifecircle.migrations.0004_load_parking_ratios",
    "programme.migrations.0011_property_fee_ranges",
)


def load_reference_data() -> None:
    """Re-run the data migrations (idempotent), each with the models as they were at
    its migration (the historical state, as ``migrate`` gives it)."""
    for name, state_apps in _data_migration_states():
        importlib.import_module(name).load(state_apps, None)


@functools.cache
def _data_migration_states() -> list:
    loader = MigrationLoader(connection)
    out = []
    for name in DATA_MIGRATIONS:
        app, _, migration = name.split(".")
        out.append((name, loader.project_state((app, migration)).apps))
    return out
