"""Room on every ledger_account page for a balance update to stay on its page (a HOT update): then PostgreSQL
writes no index entry for it. The account table has eight indexes (code, book, owner and their LIKE twins),
and a full page sent a quarter of balance updates to another page, each with eight index entries to write.
Only rows written after this take the setting; `VACUUM FULL ledger_account` spreads existing ones."""

from django.db import migrations

FILLFACTOR = 50


def spread(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE ledger_account SET (fillfactor = {FILLFACTOR})")


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ledger_account RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_post_one_insert_first")]

    operations = [migrations.RunPython(spread, reset)]
