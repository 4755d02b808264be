from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from kamai.metrics import metrics_view

admin.site.site_header = "Kamai administration"
# The admin signs in through allauth's login (its rate limits, then the second factor), never its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("web.urls")),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("ledger.urls")),
    path("", include("marketplace.urls")),
    path("messages/", include("messaging.urls")),
    path("", include("contracts.urls")),
    path("", include("payouts.urls")),
    path("invoices/", include("invoicing.urls")),
    path("books/", include("books.urls")),
    path("tax/", include("tax.urls")),
    path("api/", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("insights/", include("insights.urls")),
]

if settings.DEBUG:
    # Development only, and only public uploads (portfolio images, profile photos, invoice logos). Message
    # attachments, deliveries and dispute evidence are private: they are streamed by views that check who is asking.
    urlpatterns += [
        path("media/portfolio/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "portfolio"}),
        path("media/photos/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "photos"}),
        path("media/logos/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "logos"}),
    ]
