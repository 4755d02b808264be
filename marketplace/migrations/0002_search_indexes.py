"""Full-text indexes: FTS5 virtual tables on SQLite, GIN indexes on the tsvector columns on PostgreSQL."""

from django.db import migrations

FTS_TABLES = ["marketplace_job_fts", "marketplace_freelancer_fts"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in FTS_TABLES:
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(a, b, c, tokenize='porter unicode61')"
            )
    elif vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS job_search_gin ON marketplace_job USING gin (search_vector)")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS freelancer_search_gin ON accounts_freelancerprofile USING gin (search_vector)"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in FTS_TABLES:
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS job_search_gin")
        schema_editor.execute("DROP INDEX IF EXISTS freelancer_search_gin")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial"), ("accounts", "0005_freelancerprofile_ended_contracts_and_more")]
    operations = [migrations.RunPython(forwards, backwards)]
