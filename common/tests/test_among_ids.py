"""AmongIds: one array parameter on PostgreSQL, an IN list elsewhere; the same rows either way."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from common.ids import AmongIds

pytestmark = pytest.mark.django_db


def test_among_ids_finds_exactly_the_given_rows():
    ids = list(ContentType.objects.order_by("id").values_list("id", flat=True)[:3])
    assert set(ContentType.objects.filter(AmongIds(F("pk"), set(ids))).values_list("id", flat=True)) == set(ids)
    assert not ContentType.objects.filter(AmongIds(F("pk"), [])).exists()
    assert ContentType.objects.exclude(AmongIds(F("pk"), ids)).count() == ContentType.objects.count() - 3
