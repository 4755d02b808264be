from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from books import (
    imports,  # the module, not its names: imports enqueue these jobs
    selectors,
)
from books.projection import price_missing_entries


@db_task(retries=2, retry_delay=10)
def run_statement_import(import_id: int) -> None:
    """A large statement import, batch by batch with progress; safe to retry (rows are idempotent)."""
    imports.statement_import_run(import_id=import_id)


@db_periodic_task(crontab(minute="*/15"))
def price_entries_without_rate() -> int:
    """Entries recorded before their day's exchange rate was published get their PKR value once it is: once,
    here, never on a page view."""
    return price_missing_entries()


def statement_import_resume(*, statement_import) -> None:
    """Start a stopped background import again. Rows already in the book are skipped, so it only adds what
    is missing; the resume time counts as progress, so it is not resumed again while it starts up."""
    cache.set(selectors.import_resume_key(statement_import.pk), timezone.now(), timeout=60 * 60 * 24)
    run_statement_import(statement_import.pk)


@db_periodic_task(crontab(minute="*/5"))
def resume_stalled_statement_imports() -> int:
    """Every 5 minutes: an import whose worker died midway (no progress for IMPORT_STALL_MINUTES) is run
    again, so it finishes instead of showing "Importing" forever."""
    stalled = selectors.stalled_statement_imports()
    for statement_import in stalled:
        statement_import_resume(statement_import=statement_import)
    return len(stalled)
