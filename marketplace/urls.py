from django.urls import path

from marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("f/<slug:slug>/", views.freelancer_public, name="freelancer_public"),
    path("jobs/", views.job_search, name="job_search"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/mine/", views.my_jobs, name="my_jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/edit/", views.job_edit, name="job_edit"),
    path("jobs/<int:pk>/state/", views.job_state, name="job_state"),
    path("jobs/<int:pk>/proposals/", views.job_proposals, name="job_proposals"),
    path("jobs/<int:pk>/propose/", views.proposal_create, name="proposal_create"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/<slug:action>/", views.proposal_action, name="proposal_action"),
    path("freelancers/", views.freelancer_search, name="freelancer_search"),
    path("f/<slug:slug>/invite/", views.invite, name="invite"),
    path("offers/", views.offers, name="offers"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/<slug:action>/", views.offer_action, name="offer_action"),
]
