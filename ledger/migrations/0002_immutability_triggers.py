"""On PostgreSQL the database itself refuses UPDATE and DELETE of posted transactions and postings, so a
stray script or a manual SQL session cannot rewrite history either. (TRUNCATE, used by test teardown and
never by the application, is not covered.) SQLite relies on the ORM guards in ledger.models."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % on % is refused; posted ledger rows are immutable, post a reversal instead',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'raise_exception';
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ["ledger_posting", "ledger_transaction"]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
