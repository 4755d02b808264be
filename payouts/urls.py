from django.urls import path

from payouts import views

app_name = "payouts"

urlpatterns = [
    path("withdrawals/", views.withdrawal_list, name="withdrawal_list"),
    path("withdrawals/new/", views.withdrawal_new, name="withdrawal_new"),
    path("withdrawals/accounts/", views.bank_accounts, name="bank_accounts"),
    path("withdrawals/accounts/<int:pk>/remove/", views.bank_account_remove, name="bank_account_remove"),
    path("withdrawals/<int:pk>/", views.withdrawal_detail, name="withdrawal_detail"),
    path("staff/withdrawals/", views.staff_withdrawals, name="staff_withdrawals"),
    path("staff/withdrawals/<int:pk>/settle/", views.withdrawal_settle, name="withdrawal_settle"),
    path("staff/withdrawals/<int:pk>/fail/", views.withdrawal_fail, name="withdrawal_fail"),
]
