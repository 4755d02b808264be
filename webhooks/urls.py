from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="webhook_list"),
    path("<int:pk>/", views.endpoint_detail, name="webhook_detail"),
    path("<int:pk>/delete/", views.endpoint_delete, name="webhook_delete"),
    path("deliveries/<int:pk>/resend/", views.delivery_resend, name="webhook_resend"),
]
