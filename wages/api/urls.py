from django.urls import path
from rest_framework.routers import SimpleRouter

from wages.api import views

router = SimpleRouter()
router.register("wage-sheets", views.WageSheetViewSet, basename="wage-sheet")

urlpatterns = [
    path("projects/<str:permit_no>/wage-account/", views.ProjectWageAccountApi.as_view(), name="wage-account"),
    path("projects/<str:permit_no>/labour-deposits/", views.ProjectDepositsApi.as_view(), name="labour-deposits"),
    path(
        "projects/<str:permit_no>/engagements/<int:engagement_id>/contracts/",
        views.EngagementContractsApi.as_view(),
        name="engagement-contracts",
    ),
    path(
        "projects/<str:permit_no>/engagements/<int:engagement_id>/contracts/<int:contract_id>/scan",
        views.EngagementContractScanApi.as_view(),
        name="engagement-contract-scan",
    ),
    path(
        "projects/<str:permit_no>/engagements/<int:engagement_id>/settlement/",
        views.EngagementSettlementApi.as_view(),
        name="engagement-settlement",
    ),
    path(
        "projects/<str:permit_no>/engagements/<int:engagement_id>/settlement/confirmation",
        views.EngagementSettlementFileApi.as_view(),
        name="engagement-settlement-file",
    ),
    path("wage-sheets/import/", views.WageSheetImportApi.as_view(), name="wage-sheet-import"),
    path("wage-sheets/template.xlsx", views.WageSheetTemplateApi.as_view(), name="wage-sheet-template"),
    path("wage-sheets/<int:sheet_id>/bank-results/", views.WageSheetBankResultsApi.as_view(), name="wage-sheet-bank"),
    path(
        "wage-sheets/<int:sheet_id>/lines/<int:line_id>/card/", views.WageLineCardApi.as_view(), name="wage-line-card"
    ),
    path("wage-sheets/<int:sheet_id>/confirm/", views.WageSheetConfirmApi.as_view(), name="wage-sheet-confirm"),
    *router.urls,
]
