from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/accounts/<int:account_id>/", views.statement, name="wallet_statement"),
    path("wallet/accounts/<int:account_id>/statement.csv", views.statement_csv, name="wallet_statement_csv"),
    path("ledger/trial-balance/", views.trial_balance, name="ledger_trial_balance"),
]
