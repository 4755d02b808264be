from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("new/", views.invoice_create, name="invoice_create"),
    path("overview/", views.overview, name="invoice_overview"),
    path("settings/", views.settings_edit, name="invoice_settings"),
    path("export/<slug:what>.csv", views.export_csv, name="invoice_export"),
    path("<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("<int:pk>/edit/", views.invoice_edit, name="invoice_edit"),
    path("<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("<int:pk>/void/", views.invoice_void, name="invoice_void"),
    path("<int:pk>/reminders/", views.invoice_reminders, name="invoice_reminders"),
    path("<int:pk>/pdf/", views.invoice_pdf_download, name="invoice_pdf"),
    path("<int:pk>/payments/new/", views.payment_create, name="invoice_payment_create"),
    path("<int:pk>/credit-note/", views.credit_note_create, name="invoice_credit_note"),
    path("clients/", views.client_list, name="invoice_client_list"),
    path("clients/new/", views.client_create, name="invoice_client_create"),
    path("clients/<int:pk>/", views.client_detail, name="invoice_client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="invoice_client_edit"),
    path("recurring/", views.recurring_list, name="invoice_recurring_list"),
    path("recurring/new/", views.recurring_create, name="invoice_recurring_create"),
    path("recurring/<int:pk>/stop/", views.recurring_stop, name="invoice_recurring_stop"),
    path("view/<str:token>/", views.public_invoice, name="invoice_public"),
    path("view/<str:token>/pdf/", views.public_invoice_pdf, name="invoice_public_pdf"),
]
