"""/metrics: not public, and counting requests, jobs and ledger postings."""

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from accounts.tests.factories import UserFactory, force_login_with_mfa
from contracts import services
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, key
from kamai.tests.jobs import failing_job, logging_job

TOKEN = "scrape-token-0123456789"


def value(name: str, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client, token=TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})


def samples(body: bytes) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_metrics_is_a_404_without_the_token(client, settings, db):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, token=None).status_code == 404
    assert scrape(client, token="wrong-token").status_code == 404
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404  # not a Bearer


def test_metrics_answers_the_token(client, settings, db):
    settings.METRICS_TOKEN = TOKEN
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = samples(response.content)
    assert ("kamai_queue_length", ()) in body
    assert ("kamai_queue_scheduled", ()) in body


def test_without_a_token_configured_no_token_opens_it(client, settings, db):
    settings.METRICS_TOKEN = ""
    assert scrape(client, token="").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_staff_with_two_factors_may_read_it_other_users_may_not(client, settings, db):
    settings.METRICS_TOKEN = ""
    user = UserFactory()
    client.force_login(user)
    assert client.get("/metrics").status_code == 404
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/metrics").status_code != 200  # sent to pass the second factor first
    force_login_with_mfa(client, staff)
    assert client.get("/metrics").status_code == 200


def test_requests_are_counted_by_view_method_and_status(client, settings, db):
    settings.METRICS_TOKEN = TOKEN
    before = value("kamai_http_requests_total", view="web:home", method="GET", status="200")
    timed_before = value("kamai_http_request_seconds_count", view="web:home")
    missing_before = value("kamai_http_requests_total", view="unmatched", method="GET", status="404")
    assert client.get("/").status_code == 200
    client.get("/no-such-page-here/")
    assert value("kamai_http_requests_total", view="web:home", method="GET", status="200") == before + 1
    assert value("kamai_http_request_seconds_count", view="web:home") == timed_before + 1
    assert value("kamai_http_requests_total", view="unmatched", method="GET", status="404") == missing_before + 1
    # and the scrape shows the same
    body = samples(scrape(client).content)
    assert body[("kamai_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "web:home")))] >= 1


def test_jobs_are_counted_by_task_and_outcome(db):
    ok_before = value("kamai_jobs_total", task="logging_job", outcome="ok")
    error_before = value("kamai_jobs_total", task="failing_job", outcome="error")
    logging_job("counted")
    failing_job()
    assert value("kamai_jobs_total", task="logging_job", outcome="ok") == ok_before + 1
    assert value("kamai_jobs_total", task="failing_job", outcome="error") == error_before + 1
    assert value("kamai_jobs_total", task="failing_job", outcome="ok") == 0
    assert value("kamai_job_seconds_count", task="logging_job") >= 1


def test_queue_length_is_read_at_scrape_time(client, settings, db):
    from huey.contrib.djhuey import HUEY

    settings.METRICS_TOKEN = TOKEN
    HUEY.flush()  # the in-memory queue of immediate mode (conftest), which runs jobs as they are enqueued
    try:
        HUEY.storage.enqueue(HUEY.serialize_task(logging_job.s("waiting")), 0)  # as a web process would
        body = samples(scrape(client).content)
        assert body[("kamai_queue_length", ())] == 1
    finally:
        HUEY.flush()


def test_ledger_postings_are_counted_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    kind = "escrow_fund"
    postings_before = value("kamai_ledger_postings_total", kind=kind)
    transactions_before = value("kamai_ledger_transactions_total", kind=kind)
    contract = fixed_contract()
    milestone = contract.milestones.first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    assert value("kamai_ledger_postings_total", kind=kind) == postings_before  # nothing counted before the commit
    for callback in callbacks:
        callback()
    assert value("kamai_ledger_transactions_total", kind=kind) >= transactions_before + 1
    assert value("kamai_ledger_postings_total", kind=kind) >= postings_before + 2
    assert_ledger_clean()


def test_an_unreachable_queue_leaves_out_its_length_not_the_whole_scrape(client, settings, db, monkeypatch):
    from huey.contrib.djhuey import HUEY

    settings.METRICS_TOKEN = TOKEN

    def unreachable():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(HUEY, "pending_count", unreachable)
    response = scrape(client)
    assert response.status_code == 200
    body = samples(response.content)
    assert ("kamai_queue_length", ()) not in body
    assert any(name == "kamai_http_requests_total" for name, _ in body)
