"""The public funding mix: a database view of money by source per district and year.

The public statistics (``/public/stats/``) show how renovation is paid for, per
district and year (三, 六(二)). The public database role may not read
``programme_fundingsource`` (amounts per project) nor ``programme_project``; it reads
this view, which PostgreSQL evaluates with its owner's rights, so the role sees the
aggregates and nothing else (granted in ``public/migrations/0006``).

Only projects whose funding is already public count: from the annual plan on
(``programme.selectors.PUBLIC_FUNDING_FROM``: the project card is public from then on).
The stage list is frozen here (migrations do not import live code); a change of
``analysis.stages.STAGES`` needs a new migration replacing the view.
"""

from django.db import migrations

PUBLIC_STAGES = (
    "annual_plan",
    "construction",
    "completion_acceptance",
    "handover",
    "warranty",
    "post_evaluation",
)

CREATE = f"""
CREATE VIEW programme_public_funding_mix AS
SELECT d.code AS district_code,
       s.year AS year,
       s.source AS source,
       sum(s.amount) AS amount_yuan,
       count(DISTINCT s.project_id) AS projects
  FROM programme_fundingsource s
  JOIN programme_project p ON p.id = s.project_id
  JOIN layers_district d ON d.id = p.district_id
 WHERE p.stage IN ({", ".join(f"'{s}'" for s in PUBLIC_STAGES)})
 GROUP BY d.code, s.year, s.source
"""


class Migration(migrations.Migration):
    dependencies = [("programme", "0009_funding_sources_and_utilities")]

    operations = [
        migrations.RunSQL(
            CREATE, "DROP VIEW IF EXISTS programme_public_funding_mix", elidable=False
        )
    ]
