from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import problems, views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("token/", views.token_page, name="api_token"),
    path("jobs/", views.JobSearch.as_view(), name="api_jobs"),
    path("freelancers/", views.FreelancerSearch.as_view(), name="api_freelancers"),
    path("wallet/", views.Balances.as_view(), name="api_wallet"),
    path("contracts/", views.Contracts.as_view(), name="api_contracts"),
    path("contracts/<int:pk>/", views.ContractDetail.as_view(), name="api_contract"),
    path("milestones/<int:pk>/fund/", views.MilestoneFund.as_view(), name="api_milestone_fund"),
    path("milestones/<int:pk>/approve/", views.MilestoneApprove.as_view(), name="api_milestone_approve"),
    # Last: any other /api/ address answers a 404 problem, not the HTML page.
    re_path(r"^.*$", problems.not_found, name="api_not_found"),
]
