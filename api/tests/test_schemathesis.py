"""Conformance: schemathesis reads the schema the live app serves and sends generated requests to every
operation, as a signed-in demo client with a token, checking every answer against the schema (statuses,
content types, headers, bodies) and that invalid requests are refused."""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from contracts.tests.helpers import fixed_contract
from marketplace.tests.factories import make_freelancer, make_job


@pytest.fixture
def demo_token(db):
    contract = fixed_contract(amounts=("100", "200"))
    make_job(title="Flutter app for a clinic", budget_min="500", budget_max="900")
    make_freelancer(name="Bilal", headline="Flutter apps")
    return Token.objects.create(user=contract.client).key


@pytest.fixture
def live_schema(db, settings):
    settings.ALLOWED_HOSTS = ["*"]
    # Generated requests come quickly; the rate limit has its own test.
    settings.KAMAI_THROTTLES = {**settings.KAMAI_THROTTLES, "api": "100000/m", "api_anon": "100000/m"}
    # As Django's test client does: the test's transaction holds the demo data, so no request may close it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_to_the_schema(live_schema, demo_token, mode):
    # One hypothesis run per operation inside this test, so every request sees the demo data (schemathesis's
    # pytest loader does not work with this pytest).
    # The WSGI transport does not un-gzip; a real client does.
    headers = {"Authorization": f"Token {demo_token}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def conforms(case):
            if mode is GenerationMode.POSITIVE and case.query:
                # A cursor is an opaque token the server issues in `next`; a made-up one is rightly a 400.
                case.query.pop("cursor", None)
            case.call_and_validate(headers=headers)

        try:
            conforms()
        except Unsatisfiable:
            # No parameter or body to make invalid (GET /api/wallet/): nothing to send in this mode.
            assert mode is GenerationMode.NEGATIVE, operation.label


def test_stateful_sequences_conform_to_the_schema(live_schema, demo_token):
    # Sequences of calls that follow the schema's OpenAPI links (api/links.py) and the links schemathesis infers:
    # what one call creates, the next reads or acts on. Driven as a hypothesis state machine, as above, not by the
    # pytest loader. The token is an auth provider, so the auth checks know it is a real one.
    @live_schema.auth()
    class DemoToken:
        def get(self, case, context):
            return demo_token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    class Sequences(live_schema.as_state_machine()):
        def setup(self):
            # Each sequence starts from the demo data and empty rate-limit counters: hypothesis replays a sequence
            # and needs the same answers, whatever ran before it.
            cache.clear()
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            if case.query:
                case.query.pop("cursor", None)  # opaque; a made-up one is rightly a 400

        def get_call_kwargs(self, case):
            return {"headers": {"Accept-Encoding": "identity"}}

    Sequences.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_the_schema_links_what_a_create_answers_to_what_acts_on_it(client, db):
    schema = client.get("/api/schema/?format=json").json()
    links = schema["paths"]["/api/invoices/"]["post"]["responses"]["201"]["links"]
    assert links["ReadInvoice"] == {"operationId": "invoices_retrieve", "parameters": {"id": "$response.body#/id"}}
    portfolio = schema["paths"]["/api/profile/portfolio/"]["post"]["responses"]["201"]["links"]
    assert set(portfolio) == {"ReadPortfolioItem", "DeletePortfolioItem"}
