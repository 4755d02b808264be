"""Structured logs and the request id that ties a request's log lines to the jobs it enqueues.

Every request gets an id: the `X-Request-ID` the load balancer sent when it is a plain token, a fresh one
otherwise. It is kept in a context variable for the request's log lines, returned in the response's
`X-Request-ID` header, and written into each Huey job the request enqueues (an extra keyword in the job's
own message, so it travels through Redis, SQLite or immediate mode alike); the worker takes it out again
before the job's function runs and logs the job's lines under it.

`LOG_FORMAT=json` prints one JSON object a line (for a log collector); the default is plain text.
This module imports nothing from Django's models: settings.LOGGING loads it before the apps are ready.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The keyword a job's message carries the id in; popped before the job's function is called.
JOB_REQUEST_ID_KWARG = "_kamai_request_id"

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("kamai_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def clean_request_id(value: str | None) -> str:
    """The caller's id when it is a safe token (<= 64 of A-Z a-z 0-9 - _), else a new one: a header is
    written into every log line, so nothing else is trusted."""
    if value and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every line logged while the request runs carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record a handler emits ("-" outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, and the exception
    and stack text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        if not request_id or request_id == "-":
            request_id = current_request_id()
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- Carrying the id into jobs ---------------------------------------------------------------------------


def _job_enqueued(signal, task, *args, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and JOB_REQUEST_ID_KWARG not in task.kwargs:
        task.kwargs = {**task.kwargs, JOB_REQUEST_ID_KWARG: request_id}


def _job_starting(task) -> None:
    """Huey pre_execute: take the id out of the job's keywords (its function never sees it) and log under it.
    Kept on the task so a retry is enqueued with it again."""
    request_id = task.kwargs.pop(JOB_REQUEST_ID_KWARG, None) if task.kwargs else None
    task._kamai_request_id = request_id
    task._kamai_request_id_token = _request_id.set(request_id) if request_id else None


def _job_finished(task, task_value, exception) -> None:
    token = getattr(task, "_kamai_request_id_token", None)
    if token is not None:
        _request_id.reset(token)
        task._kamai_request_id_token = None
    request_id = getattr(task, "_kamai_request_id", None)
    if request_id and exception is not None and task.retries:
        task.kwargs[JOB_REQUEST_ID_KWARG] = request_id  # the retry is this same task object, re-enqueued


def connect_huey(huey) -> None:
    from huey.signals import SIGNAL_ENQUEUED

    huey.signal(SIGNAL_ENQUEUED)(_job_enqueued)
    huey.pre_execute(name="kamai_request_id")(_job_starting)
    huey.post_execute(name="kamai_request_id")(_job_finished)
