"""Kamai's URLs plus two views for the observability tests: one logs and enqueues a job, one raises."""

import logging

from django.http import HttpResponse
from django.urls import path

from kamai.tests.jobs import logging_job
from kamai.urls import urlpatterns as kamai_urlpatterns

logger = logging.getLogger("kamai.tests.views")


class ObservabilityBoom(Exception):
    pass


def log_and_enqueue(request):
    logger.info("view ran")
    logging_job("from the view")
    return HttpResponse("ok")


def boom(request):
    raise ObservabilityBoom("a view failed on purpose")


urlpatterns = [
    path("obs-test/log", log_and_enqueue, name="obs_test_log"),
    path("obs-test/boom", boom, name="obs_test_boom"),
    *kamai_urlpatterns,
]
