"""The NOLOGIN role of public reads and its column-level grants (SECURITY.md E2).

``public.selectors.public_query`` runs every public statement with ``SET LOCAL ROLE
<settings.PUBLIC_DB_ROLE>``; this migration creates that role when it is missing
(cluster-wide) and, in this database, revokes everything it had and grants ``SELECT``
on exactly the columns the public selectors, tiles, OGC API and caching read. Nothing
else: no users, sessions, history users, internal notes, fund balances, budgets,
project documents or vote details. A public field added later needs a new migration
with its grant (a missing grant shows as ``permission denied`` in tests/public).

The lists are a frozen copy of the database columns at this migration (migrations must
not import live models). Reverse revokes the grants in this database but keeps the
role, which other databases (dev, bench, parallel test databases) may still use.
"""

from django.conf import settings
from django.db import migrations

from public import db_role

#: table -> columns the role may SELECT (empty tuple = the whole table)
PUBLIC_COLUMNS: dict[str, tuple[str, ...]] = {
    # selectors: COMMUNITY_FIELDS, filters, card, search, stats (dangerous buildings,
    # target rule on land tenure), tiles; data_version (id, updated_at)
    "layers_community": (
        "id",
        "code",
        "name",
        "district_id",
        "street_id",
        "geom",
        "completion_year",
        "households",
        "buildings",
        "lifts",
        "stage",
        "public_notes",
        "dangerous_c",
        "dangerous_d",
        "land_tenure",
        "updated_at",
    ),
    # stage history (date + stage) and lifts installed; never history_user_id or
    # history_change_reason, nor the private columns of the past versions
    "layers_historicalcommunity": (
        "id",
        "history_id",
        "history_date",
        "stage",
        "lifts",
    ),
    "layers_district": ("id", "code", "name", "geom", "updated_at"),
    "layers_street": ("id", "name"),
    "layers_communityphoto": (
        "id",
        "community_id",
        "kind",
        "image",
        "caption",
        "taken_on",
        "created_at",
    ),
    # facilities added (count per district) and data_version
    "layers_amenity": ("id", "geom", "source", "created_at", "updated_at"),
    "layers_amenitycategory": ("code", "name"),
    # life-circle before/after: finished runs and their scores, never parameters,
    # errors or who started them
    "geoapp_analysisrun": ("id", "kind", "status", "finished_at"),
    "geoapp_coverageresult": (
        "run_id",
        "community_id",
        "score",
        "missing",
        "tiers_met",
    ),
    # programme: works by category and vote aggregates; never budgets, plans, funding,
    # documents, vote areas, reasons or who recorded them
    "programme_project": ("id", "community_id", "updated_at"),
    "programme_projectitem": ("id", "project_id", "works_item_id"),
    "programme_worksitem": ("id", "code", "category", "name_zh"),
    # the three owner counts of a vote (the meeting totals; no per-household rows
    # exist): the selector derives the ratios and shows them for >= 10 owners only
    "programme_vote": (
        "id",
        "project_id",
        "kind",
        "held_on",
        "passed",
        "total_owners",
        "participants_owners",
        "consent_owners",
    ),
    # ST_Transform reads the CRS definitions (PostGIS also grants this to PUBLIC)
    "spatial_ref_sys": (),
}
#: tables of apps that may be uninstalled
OPTIONAL_TABLES = (
    "programme_project",
    "programme_projectitem",
    "programme_worksitem",
    "programme_vote",
)


def grant(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        db_role.ensure_role(cur, role)
        db_role.revoke_all(cur, role)
        db_role.grant_select(cur, role, PUBLIC_COLUMNS, optional=OPTIONAL_TABLES)


def revoke(apps, schema_editor):
    role = db_role.configured_role()
    if not role:
        return
    with schema_editor.connection.cursor() as cur:
        if db_role.role_exists(cur, role):
            db_role.revoke_all(cur, role)


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0004_layer_stamps"),
        ("geoapp", "0002_default_ruleset"),
    ]
    if "programme" in settings.INSTALLED_APPS:
        dependencies.append(("programme", "0002_load_programme_data"))

    operations = [migrations.RunPython(grant, revoke, elidable=False)]
