from django.urls import path
from rest_framework.routers import SimpleRouter

from devices.api import views

router = SimpleRouter()
router.register("devices", views.DeviceViewSet, basename="device")

urlpatterns = [
    path("projects/<str:permit_no>/devices/", views.ProjectDeviceApi.as_view(), name="project-devices"),
    *router.urls,
]
