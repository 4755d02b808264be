from huey.contrib.djhuey import db_task

from books.imports import statement_import_run


@db_task(retries=2, retry_delay=10)
def run_statement_import(import_id: int) -> None:
    """A large statement import, batch by batch with progress; safe to retry (rows are idempotent)."""
    statement_import_run(import_id=import_id)
