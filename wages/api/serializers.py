"""The wage API's bodies and answers: bank numbers only ever masked."""

from __future__ import annotations

from rest_framework import serializers

from wages.models import ExitSettlement, LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet


class WageAccountSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no", read_only=True)
    number = serializers.CharField(source="number_masked", read_only=True)

    class Meta:
        model = WageAccount
        fields = ["project", "bank", "account_name", "number", "opened_on"]


class WageAccountInSerializer(serializers.Serializer):
    bank = serializers.CharField(max_length=64)
    account_name = serializers.CharField(max_length=100)
    number = serializers.CharField(max_length=40)
    opened_on = serializers.DateField()


class DepositSerializer(serializers.ModelSerializer):
    first_month = serializers.DateField(format="%Y-%m")
    last_month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = LabourCostDeposit
        fields = ["id", "paid_on", "amount", "first_month", "last_month"]


class DepositInSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.CharField(max_length=20)
    first_month = serializers.DateField(input_formats=["%Y-%m"])
    last_month = serializers.DateField(input_formats=["%Y-%m"])


class WageLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.id_number_masked")
    card = serializers.CharField(source="card_masked")

    class Meta:
        model = WageLine
        fields = [
            "id",
            "name",
            "id_number",
            "attended_days",
            "due",
            "paid",
            "paid_on",
            "card",
            "through_special_account",
            "bank_status",
            "bank_amount",
            "bank_paid_on",
        ]


class WageSheetSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no")
    employer = serializers.CharField(source="employer.uscc")
    employer_name = serializers.CharField(source="employer.name")
    month = serializers.DateField(format="%Y-%m")
    lines = WageLineSerializer(many=True)

    class Meta:
        model = WageSheet
        fields = [
            "id",
            "project",
            "employer",
            "employer_name",
            "team",
            "month",
            "state",
            "prepared_at",
            "confirmed_at",
            "lines",
        ]


class WageLineInSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=18)
    due = serializers.CharField(max_length=20)
    paid = serializers.CharField(max_length=20, default="0")
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    card = serializers.CharField(max_length=40)
    through_special_account = serializers.BooleanField(default=True)


class WageSheetInSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=64)
    employer = serializers.CharField(max_length=18, help_text="The employer's unified social credit code.")
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    team = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    lines = WageLineInSerializer(many=True, allow_empty=False, max_length=5000)


class WageSheetImportSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=64)
    employer = serializers.CharField(max_length=18, help_text="The employer's unified social credit code.")
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    team = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    file = serializers.FileField(help_text="The filled template (GET /api/v1/wage-sheets/template.xlsx).")


class BankResultsInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The bank's payment-result file: CSV (UTF-8 or GBK) or .xlsx.")


class LabourContractSerializer(serializers.ModelSerializer):
    has_scan = serializers.SerializerMethodField()

    class Meta:
        model = LabourContract
        fields = ["id", "code", "signed_on", "period", "starts_on", "ends_on", "pay_unit", "unit_price", "has_scan"]

    def get_has_scan(self, contract: LabourContract) -> bool:
        return bool(contract.file)


class LabourContractInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    signed_on = serializers.DateField()
    period = serializers.CharField(max_length=16, help_text="fixed_term | task")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    pay_unit = serializers.CharField(max_length=8, help_text="day | month | piece")
    unit_price = serializers.CharField(max_length=20)
    scan = serializers.FileField(required=False, allow_null=True, default=None, help_text="PDF, JPEG or PNG")


class ExitSettlementSerializer(serializers.ModelSerializer):
    has_confirmation = serializers.SerializerMethodField()

    class Meta:
        model = ExitSettlement
        fields = ["id", "workload", "amount", "settled_on", "worker_confirmed", "has_confirmation", "created_at"]

    def get_has_confirmation(self, settlement: ExitSettlement) -> bool:
        return bool(settlement.file)


class ExitSettlementInSerializer(serializers.Serializer):
    workload = serializers.CharField(max_length=200)
    amount = serializers.CharField(max_length=20)
    settled_on = serializers.DateField()
    worker_confirmed = serializers.BooleanField(default=False)
    confirmation = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="The signed exit confirmation: PDF, JPEG or PNG"
    )
