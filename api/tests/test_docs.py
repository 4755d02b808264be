"""/api/docs/ draws the schema with Redoc from our own static files: no CDN, no web fonts."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

REDOC = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"


def test_the_docs_page_serves_redoc_from_our_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'spec-url="/api/schema/"' in page and REDOC in page
    assert "googleapis" not in page and "cdn" not in page.lower()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-eval" not in policy
    assert finders.find(REDOC)  # shipped by drf-spectacular-sidecar, collected with the other static files


def test_the_schema_it_draws_is_there(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"openapi" in response.content
