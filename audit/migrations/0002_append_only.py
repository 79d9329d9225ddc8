"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself.

A row-level trigger raises for every UPDATE and DELETE, whoever sends it (the ORM, raw SQL, a
shell). TRUNCATE is a statement, not a row change, so it still works: the test suite empties
tables with it, and an operator with the owner's rights could do the same (docs/security.md).

On SQLite (the single-machine demo) no trigger is made: Django's test flush empties SQLite
tables with DELETE, which such a trigger would refuse. The model still refuses changes there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGER, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(protect, unprotect, elidable=False)]
