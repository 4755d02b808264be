from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/invite/<str:token>/", views.contract_invite, name="contract_invite"),
    path("contracts/weeks/<int:pk>/", views.week_detail, name="week_detail"),
    path("contracts/weeks/<int:pk>/time/", views.week_time, name="week_time"),
    path("contracts/weeks/<int:pk>/submit/", views.week_submit, name="week_submit"),
    path("contracts/weeks/<int:pk>/approve/", views.week_approve, name="week_approve"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/accept/", views.contract_accept, name="contract_accept"),
    path("contracts/<int:pk>/terms/", views.terms_change, name="terms_change"),
    path("contracts/<int:pk>/terms/<int:version_id>/accept/", views.terms_accept, name="terms_accept"),
    path("contracts/<int:pk>/retainer/", views.retainer_fund, name="retainer_fund"),
    path("contracts/<int:pk>/time/", views.time_add, name="time_add"),
    path("contracts/<int:pk>/<slug:action>/", views.contract_action, name="contract_action"),
    path("milestones/<int:pk>/fund/", views.milestone_fund, name="milestone_fund"),
    path("milestones/<int:pk>/submit/", views.milestone_submit, name="milestone_submit"),
    path("milestones/<int:pk>/<slug:action>/", views.milestone_action, name="milestone_action"),
    path("weeks/<int:pk>/dispute/", views.week_dispute, name="week_dispute"),
    path("payins/<int:pk>/", views.payin_detail, name="payin_detail"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/decide/", views.dispute_decide, name="dispute_decide"),
    path("deliveries/<int:pk>/file/", views.delivery_file, name="delivery_file"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("staff/queue/", views.staff_queue, name="staff_queue"),
    path("staff/payins/<int:pk>/confirm/", views.payin_confirm, name="payin_confirm"),
]
