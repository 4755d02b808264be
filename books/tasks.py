from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from books.imports import statement_import_run
from books.projection import price_missing_entries


@db_task(retries=2, retry_delay=10)
def run_statement_import(import_id: int) -> None:
    """A large statement import, batch by batch with progress; safe to retry (rows are idempotent)."""
    statement_import_run(import_id=import_id)


@db_periodic_task(crontab(minute="*/15"))
def price_entries_without_rate() -> int:
    """Entries recorded before their day's exchange rate was published get their PKR value once it is: once,
    here, never on a page view."""
    return price_missing_entries()
