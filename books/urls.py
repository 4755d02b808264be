from django.urls import path

from books import views

app_name = "books"

urlpatterns = [
    path("", views.books_home, name="books_home"),
    path("expenses/new/", views.expense_add, name="expense_add"),
    path("income/new/", views.income_add, name="income_add"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    path("entries/<int:pk>/receipt/", views.entry_receipt, name="entry_receipt"),
    path("entries/<int:pk>/category/", views.entry_recategorise, name="entry_recategorise"),
    path("categories/", views.category_rules, name="category_rules"),
    path("categories/<int:pk>/delete/", views.category_rule_delete, name="category_rule_delete"),
    path("remittances/", views.remittance_list, name="remittance_list"),
    path("remittances/new/", views.remittance_add, name="remittance_add"),
    path("remittances/<int:pk>/prc/", views.remittance_prc, name="remittance_prc"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/columns/", views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("reconcile/", views.reconcile, name="reconcile"),
    path("reconcile/decide/", views.reconcile_decide, name="reconcile_decide"),
    path("budget/", views.budget, name="budget"),
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/recurring/", views.recurring_add, name="recurring_add"),
]
