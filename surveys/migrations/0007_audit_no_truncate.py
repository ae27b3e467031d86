"""On PostgreSQL the audit table refuses TRUNCATE too.

Row-level triggers (0002) never fire for TRUNCATE, which empties a table without touching its
rows; a statement-level trigger does."""
from django.db import migrations

NO_TRUNCATE_SQL = """
DROP TRIGGER IF EXISTS surveys_auditentry_no_truncate ON surveys_auditentry;
CREATE TRIGGER surveys_auditentry_no_truncate BEFORE TRUNCATE ON surveys_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION surveys_auditentry_append_only();
"""
DROP_SQL = "DROP TRIGGER IF EXISTS surveys_auditentry_no_truncate ON surveys_auditentry;"


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRUNCATE_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_audit_action_length"),
    ]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
    ]
