from django.contrib.auth import views as auth_views
from django.urls import path

from reports.dashboard import casework, listings, policy_page, punches, requests, submissions, views, visits, wages
from reports.dashboard.account import account
from reports.dashboard.todo import todo_page

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="reports/dashboard/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.language, name="language"),
    path("search/", views.search, name="search"),
    path("todo/", todo_page, name="todo"),
    path("account/", account, name="account"),
    path("alerts/export.xlsx", views.alerts_export, name="alerts-export"),
    path("projects/<str:permit_no>/status-requests/", requests.status_request_file, name="status-request-file"),
    path("status-requests/<int:request_id>/decide/", requests.status_request_decide, name="status-request-decide"),
    path("cases/", listings.cases, name="cases"),
    path("measures/", listings.measures, name="measures"),
    path("devices/", listings.devices, name="devices"),
    path("inspections/", listings.inspections, name="inspections"),
    path("projects/<str:permit_no>/people/", listings.roster, name="roster"),
    path("cases/<int:case_id>/", casework.case, name="case"),
    path("projects/<str:permit_no>/cases/", casework.case_open_from_findings, name="case-open-from-findings"),
    path("cases/<int:case_id>/measures/", casework.measure_issue, name="case-measure-issue"),
    path("cases/<int:case_id>/close/", casework.case_close, name="case-close"),
    path("measures/<int:measure_id>/confirm/", casework.measure_confirm, name="measure-confirm"),
    path("measures/<int:measure_id>/withdraw/", casework.measure_withdraw, name="measure-withdraw"),
    path("measures/<int:measure_id>/reply/", casework.measure_reply, name="measure-reply"),
    path("replies/<int:reply_id>/review/", casework.reply_review, name="reply-review"),
    path("projects/<str:permit_no>/inspections/new/", visits.inspection_new, name="inspection-new"),
    path("draws/", visits.draws, name="draws"),
    path("policies/", policy_page.policies, name="policies"),
    path("policies/<int:policy_id>/edit/", policy_page.policy_edit, name="policy-edit"),
    path("policies/<int:policy_id>/preview/", policy_page.policy_preview_page, name="policy-preview"),
    path("policies/preview/<str:preview_job>/", policy_page.policy_preview_progress, name="policy-preview-progress"),
    path("submissions/", submissions.board, name="submissions"),
    path("submissions/prepare/", submissions.prepare, name="submission-prepare"),
    path("submissions/<int:submission_id>/submit/", submissions.submit, name="submission-submit"),
    path("submissions/<int:submission_id>/download", submissions.download, name="submission-download"),
    path("cities/<str:code>/", views.city, name="city"),
    path("districts/<str:code>/", views.district, name="district"),
    path(
        "identity-conflicts/<int:conflict_id>/review/", views.identity_conflict_review, name="identity-conflict-review"
    ),
    path("projects/<str:permit_no>/wages/", wages.project_wages, name="project-wages"),
    path("projects/<str:permit_no>/wages/sheets/", wages.wage_sheet_upload, name="wage-sheet-upload"),
    path("projects/<str:permit_no>/wages/ledger.xlsx", wages.wage_ledger, name="wage-ledger"),
    path("wage-sheets/<int:sheet_id>/confirm/", wages.wage_sheet_confirm, name="wage-sheet-confirm"),
    path("wage-sheets/<int:sheet_id>/bank-results/", wages.wage_bank_upload, name="wage-bank-upload"),
    path("arrears/", wages.arrears, name="arrears"),
    path("projects/", listings.projects, name="projects"),
    path("projects/<str:permit_no>/", views.project, name="project"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/triage/", views.alerts_triage, name="alerts-triage"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("devices/<str:serial>/", views.device, name="device"),
    path("punches/<int:punch_id>/", punches.punch, name="punch"),
    path("punches/<int:punch_id>/photo", punches.punch_photo, name="punch-photo"),
]
