"""JSON log lines, and the request id carried from a request into the jobs it enqueues."""

import io
import json
import logging

import pytest

from kamai.logs import JOB_REQUEST_ID_KWARG, JsonFormatter, RequestIdFilter, clean_request_id
from kamai.tests.jobs import flaky_job, logging_job


@pytest.fixture
def json_lines():
    """Everything logged while the test runs, as the production console handler would print it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


@pytest.mark.urls("kamai.tests.urls")
def test_a_request_and_the_job_it_enqueues_log_under_the_callers_request_id(client, db, json_lines):
    response = client.get("/obs-test/log", headers={"X-Request-ID": "lb-7f3a_req-42"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-7f3a_req-42"
    lines = json_lines()
    view_line = next(line for line in lines if line["message"] == "view ran")
    job_line = next(line for line in lines if line["message"] == "job ran: from the view")
    assert view_line["request_id"] == job_line["request_id"] == "lb-7f3a_req-42"
    assert view_line["logger"] == "kamai.tests.views"
    assert view_line["level"] == "INFO"
    assert view_line["time"].endswith("+00:00")
    assert job_line["logger"] == "kamai.tests.jobs"


@pytest.mark.urls("kamai.tests.urls")
def test_an_unsafe_request_id_is_replaced(client, db, json_lines):
    response = client.get("/obs-test/log", headers={"X-Request-ID": "bad id\nwith a newline"})
    request_id = response["X-Request-ID"]
    assert request_id != "bad id\nwith a newline"
    assert len(request_id) == 32
    assert {line["request_id"] for line in json_lines() if line["logger"].startswith("kamai.tests")} == {request_id}


@pytest.mark.parametrize(
    ("offered", "kept"),
    [("abc-DEF_123", True), ("x" * 64, True), ("x" * 65, False), ("", False), ("a b", False), ("é", False)],
)
def test_which_request_ids_are_kept(offered, kept):
    assert (clean_request_id(offered) == offered) is kept


def test_a_job_enqueued_outside_a_request_has_no_id_and_its_function_never_sees_the_carrier(db, json_lines):
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    HUEY.immediate = False
    try:
        HUEY.immediate = True  # fresh in-memory queue; enqueue without running, as a web process would
        task = logging_job.s("outside")
        HUEY.storage.enqueue(HUEY.serialize_task(task), 0)
        queued = HUEY.dequeue()
        assert JOB_REQUEST_ID_KWARG not in queued.kwargs
        assert HUEY.execute(queued) == "outside"
    finally:
        HUEY.flush()
    line = next(line for line in json_lines() if line["message"] == "job ran: outside")
    assert line["request_id"] is None


def test_a_queued_job_carries_the_id_through_its_serialised_message(db, json_lines):
    """The worker case: the message is serialised into storage by the web process and read by the consumer."""
    from huey.contrib.djhuey import HUEY

    from kamai import logs

    token = logs._request_id.set("from-the-web")
    try:
        task = logging_job.s("queued")
        HUEY._emit("enqueued", task)
        data = HUEY.serialize_task(task)
    finally:
        logs._request_id.reset(token)
    queued = HUEY.deserialize_task(data)
    assert queued.kwargs[JOB_REQUEST_ID_KWARG] == "from-the-web"
    assert HUEY.execute(queued) == "queued"  # the function got only its own argument
    line = next(line for line in json_lines() if line["message"] == "job ran: queued")
    assert line["request_id"] == "from-the-web"
    assert logs.current_request_id() is None


def test_a_retried_job_keeps_the_id(db, json_lines):
    from huey.contrib.djhuey import HUEY

    from kamai import logs

    token = logs._request_id.set("retry-me")
    try:
        task = flaky_job.s()
        HUEY._emit("enqueued", task)
        data = HUEY.serialize_task(task)
    finally:
        logs._request_id.reset(token)
    HUEY.execute(HUEY.deserialize_task(data))  # fails, and immediate mode runs the retry at once
    attempts = [line for line in json_lines() if line["message"] == "flaky attempt"]
    assert [line["request_id"] for line in attempts] == ["retry-me", "retry-me"]


def test_exceptions_are_in_the_json_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed here"
    assert "ValueError: broken" in line["exception"]
    assert line["level"] == "ERROR"
