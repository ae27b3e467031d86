"""On PostgreSQL, make the audit table append-only at the database level too.

(The role groups are kept in step with surveys.roles after every migrate: see SurveysConfig.)"""
from django.db import migrations

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION surveys_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Nhật ký chỉ được ghi thêm (append-only)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS surveys_auditentry_no_change ON surveys_auditentry;
CREATE TRIGGER surveys_auditentry_no_change BEFORE UPDATE OR DELETE ON surveys_auditentry
    FOR EACH ROW EXECUTE FUNCTION surveys_auditentry_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS surveys_auditentry_no_change ON surveys_auditentry;
DROP FUNCTION IF EXISTS surveys_auditentry_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
    ]
