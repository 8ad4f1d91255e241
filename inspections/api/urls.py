from django.urls import path
from rest_framework.routers import SimpleRouter

from inspections.api import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = [
    path("projects/<str:permit_no>/presence/", views.ProjectPresenceApi.as_view(), name="project-presence"),
    path("alerts/<int:alert_id>/acknowledge/", views.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("alerts/<int:alert_id>/dismiss/", views.AlertDismissApi.as_view(), name="alert-dismiss"),
    *router.urls,
]
