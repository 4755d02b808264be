"""Jobs for the observability tests only (imported by kamai/tests/urls.py)."""

import logging

from huey.contrib.djhuey import task

logger = logging.getLogger("kamai.tests.jobs")


@task()
def logging_job(note: str) -> str:
    logger.info("job ran: %s", note)
    return note


@task()
def failing_job() -> None:
    raise RuntimeError("the job failed on purpose")


@task(retries=1)
def flaky_job() -> None:
    logger.info("flaky attempt")
    raise RuntimeError("fails every time")
