from django.urls import path

from loans import apis, views

app_name = "loans"

api_urlpatterns = [
    path("schedule-preview/", apis.SchedulePreviewApi.as_view(), name="schedule-preview"),
]

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
]
