from django.urls import path
from rest_framework.routers import SimpleRouter

from projects.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("status-requests", views.StatusRequestViewSet, basename="status-request")

engagements = views.EngagementViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("auth/token/rotate/", views.TokenRotateApi.as_view(), name="token-rotate"),
    path("projects/<str:permit_no>/engagements/", engagements, name="project-engagements"),
    path(
        "projects/<str:permit_no>/engagements/<int:engagement_id>/exit/",
        views.EngagementExitApi.as_view(),
        name="engagement-exit",
    ),
    path(
        "projects/<str:permit_no>/engagements/<int:engagement_id>/id-number/",
        views.EngagementIdNumberApi.as_view(),
        name="engagement-id-number",
    ),
    path(
        "projects/<str:permit_no>/status-history/",
        views.ProjectStatusHistoryApi.as_view(),
        name="project-status-history",
    ),
    path("status-requests/<int:request_id>/approve/", views.StatusRequestApproveApi.as_view(), name="sr-approve"),
    path("status-requests/<int:request_id>/reject/", views.StatusRequestRejectApi.as_view(), name="sr-reject"),
    path("status-requests/<int:request_id>/withdraw/", views.StatusRequestWithdrawApi.as_view(), name="sr-withdraw"),
    path(
        "status-requests/<int:request_id>/attachments/",
        views.StatusRequestAttachmentApi.as_view(),
        name="sr-attachments",
    ),
    path(
        "status-requests/<int:request_id>/attachments/<int:attachment_id>/",
        views.StatusRequestAttachmentDownloadApi.as_view(),
        name="sr-attachment-download",
    ),
    *router.urls,
]
