from django.urls import path

from tax import views

app_name = "tax"

urlpatterns = [
    path("", views.tax_home, name="tax_home"),
    path("status/", views.tax_profile, name="tax_profile"),
    path("statement/<str:year>/", views.annual_statement, name="annual_statement"),
    path("statement/<str:year>/pdf/", views.annual_statement_pdf, name="annual_statement_pdf"),
    path("prc/", views.prc_missing, name="prc_missing"),
]
