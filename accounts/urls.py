from django.urls import path

from accounts import views

urlpatterns = [
    path("f/<slug:slug>/", views.freelancer_public, name="freelancer_public"),
    path("me/profile/", views.freelancer_profile_edit, name="freelancer_profile_edit"),
    path("me/client/", views.client_profile_edit, name="client_profile_edit"),
    path("me/portfolio/new/", views.portfolio_item_edit, name="portfolio_item_new"),
    path("me/portfolio/<int:pk>/", views.portfolio_item_edit, name="portfolio_item_edit"),
    path("me/portfolio/<int:pk>/delete/", views.portfolio_item_delete, name="portfolio_item_delete"),
    path("me/hat/", views.switch_hat, name="switch_hat"),
]
