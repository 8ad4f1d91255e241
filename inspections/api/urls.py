from django.urls import path

from inspections.api import views

urlpatterns = [
    path("projects/<str:permit_no>/presence/", views.ProjectPresenceApi.as_view(), name="project-presence"),
]
