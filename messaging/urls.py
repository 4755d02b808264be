from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("start/", views.conversation_start, name="conversation_start"),
    path("<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("<int:pk>/list/", views.conversation_message_list, name="conversation_message_list"),
    path("files/<int:pk>/", views.attachment_download, name="message_attachment"),
]
