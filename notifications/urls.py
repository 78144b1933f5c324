from django.urls import path

from notifications import apis, views

app_name = "notifications"

urlpatterns = [path("notifications/", views.notification_list, name="list")]

# Mounted under /api/v1/ with the namespace "notifications-api".
api_urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="list"),
    path("notifications/read/", apis.NotificationReadApi.as_view(), name="read"),
]
