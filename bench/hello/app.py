"""The baseline of bench/web.py: the smallest Django site (one view, no middleware, no database), served by
the same gunicorn as Kamai, so each Kamai page can be read as a share of what Django itself can do here."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(DEBUG=False, SECRET_KEY="hello-baseline", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, MIDDLEWARE=[])


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
