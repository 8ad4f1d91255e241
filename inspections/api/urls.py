from django.urls import path
from rest_framework.routers import SimpleRouter

from inspections.api import enforcement as e
from inspections.api import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("inspections", e.InspectionViewSet, basename="inspection")
router.register("cases", e.CaseViewSet, basename="case")
router.register("measures", e.MeasureViewSet, basename="measure")
router.register("credit/records", e.CreditRecordViewSet, basename="credit-record")
router.register("campaigns", e.CampaignViewSet, basename="campaign")
router.register("draws", e.RandomDrawViewSet, basename="draw")

urlpatterns = [
    path("projects/<str:permit_no>/presence/", views.ProjectPresenceApi.as_view(), name="project-presence"),
    path("alerts/<int:alert_id>/acknowledge/", views.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("alerts/<int:alert_id>/dismiss/", views.AlertDismissApi.as_view(), name="alert-dismiss"),
    path("inspections/<int:inspection_id>/photos/", e.InspectionPhotoApi.as_view(), name="inspection-photos"),
    path("cases/<int:case_id>/attach/", e.CaseAttachApi.as_view(), name="case-attach"),
    path("cases/<int:case_id>/close/", e.CaseCloseApi.as_view(), name="case-close"),
    path("cases/<int:case_id>/measures/", e.CaseMeasureIssueApi.as_view(), name="case-measure-issue"),
    path("measures/<int:measure_id>/confirm/", e.MeasureConfirmApi.as_view(), name="measure-confirm"),
    path("measures/<int:measure_id>/withdraw/", e.MeasureWithdrawApi.as_view(), name="measure-withdraw"),
    path("measures/<int:measure_id>/documents/", e.MeasureDocumentApi.as_view(), name="measure-documents"),
    path(
        "measures/<int:measure_id>/documents/<int:document_id>/",
        e.MeasureDocumentDownloadApi.as_view(),
        name="measure-document",
    ),
    path("measures/<int:measure_id>/replies/", e.MeasureReplyApi.as_view(), name="measure-replies"),
    path("replies/<int:reply_id>/accept/", e.ReplyAcceptApi.as_view(), name="reply-accept"),
    path("replies/<int:reply_id>/reject/", e.ReplyRejectApi.as_view(), name="reply-reject"),
    path("credit/enterprises/<str:uscc>/", e.EnterpriseCreditApi.as_view(), name="enterprise-credit"),
    path("credit/people/<int:person_id>/", e.PersonCreditApi.as_view(), name="person-credit"),
    path("campaigns/<int:campaign_id>/progress/", e.CampaignProgressApi.as_view(), name="campaign-progress"),
    path("draws/<int:draw_id>/verify/", e.RandomDrawVerifyApi.as_view(), name="draw-verify"),
    *router.urls,
]
