from django.urls import path, re_path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.freelancer_profile_edit, name="freelancer_profile_edit"),
    path("me/client/", views.client_profile_edit, name="client_profile_edit"),
    path("me/portfolio/new/", views.portfolio_item_edit, name="portfolio_item_new"),
    path("me/portfolio/<int:pk>/", views.portfolio_item_edit, name="portfolio_item_edit"),
    path("me/portfolio/<int:pk>/delete/", views.portfolio_item_delete, name="portfolio_item_delete"),
    re_path(r"^me/(?P<whose>freelancer|client)/photo/$", views.profile_photo_upload, name="profile_photo_upload"),
    re_path(
        r"^me/(?P<whose>freelancer|client)/photo/remove/$", views.profile_photo_remove, name="profile_photo_remove"
    ),
    path("me/hat/", views.switch_hat, name="switch_hat"),
]
