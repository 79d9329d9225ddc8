"""A GIN full-text index on the findings, on PostgreSQL only.

The expression is exactly what imr.selectors writes for a text search
(SearchVector("findings", config="english")), so PostgreSQL can use the index. SQLite has no such
index type; its search falls back to a plain substring match, and this migration does nothing there.
"""

from django.db import migrations

INDEX_NAME = "imr_decision_findings_fts"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON imr_publisheddecision "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(findings, '')))"
)
DROP = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("imr", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
