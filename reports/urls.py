from django.urls import path

from reports import views
from reports.dashboard.reports_page import reports_page

urlpatterns = [
    path("", reports_page, name="reports-page"),
    path("annex1.xlsx", views.Annex1Api.as_view(), name="report-annex1"),
    path("annex2.xlsx", views.Annex2Api.as_view(), name="report-annex2"),
    path("manager-presence.xlsx", views.ManagerPresenceApi.as_view(), name="report-manager-presence"),
    path("circular.xlsx", views.CircularApi.as_view(), name="report-circular"),
    path("ledger.xlsx", views.LedgerApi.as_view(), name="report-ledger"),
    path("jobs/<uuid:job_id>/", views.ReportJobApi.as_view(), name="report-job"),
    path("jobs/<uuid:job_id>/download", views.ReportJobDownloadApi.as_view(), name="report-job-download"),
]
