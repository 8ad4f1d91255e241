from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.choices import CaseState, InspectionKind, MeasureKind, MeasureState
from inspections.models import Alert, AlertState, Case, CreditRecord, Inspection, Measure, RandomDraw
from inspections.models.rules import Handling


class PeriodForm(forms.Form):
    """A filter's `since`–`until` in order: a reversed range is refused on `until` (an API client gets 400,
    a page its message beside the field), never answered with rows as if it meant something."""

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The period ends before it starts."))
        return data


class AlertFilter(django_filters.FilterSet):
    rule = django_filters.CharFilter()
    district = django_filters.CharFilter(field_name="project__district__code")
    project = django_filters.CharFilter(field_name="project__permit_no")
    state = django_filters.ChoiceFilter(choices=AlertState.choices)
    # 处置状态 (inspections.selectors.handling; the queryset is annotated with it)
    handling = django_filters.ChoiceFilter(choices=Handling.choices)
    since = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = Alert
        form = PeriodForm
        fields = ["rule", "district", "project", "state", "handling", "since", "until"]


class InspectionFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="project__district__code")
    project = django_filters.CharFilter(field_name="project__permit_no")
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices)
    since = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="day", lookup_expr="lte")
    campaign = django_filters.NumberFilter()

    class Meta:
        model = Inspection
        form = PeriodForm
        fields = ["district", "project", "kind", "since", "until", "campaign"]


class CaseFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="project__district__code")
    project = django_filters.CharFilter(field_name="project__permit_no")
    state = django_filters.ChoiceFilter(choices=CaseState.choices)

    class Meta:
        model = Case
        fields = ["district", "project", "state"]


class MeasureFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="case__project__district__code")
    project = django_filters.CharFilter(field_name="case__project__permit_no")
    case = django_filters.NumberFilter()
    kind = django_filters.ChoiceFilter(choices=MeasureKind.choices)
    state = django_filters.ChoiceFilter(choices=MeasureState.choices)
    since = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Measure
        form = PeriodForm
        fields = ["district", "project", "case", "kind", "state", "since", "until"]


class CreditRecordFilter(django_filters.FilterSet):
    enterprise = django_filters.CharFilter(field_name="enterprise__uscc")
    since = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    scored = django_filters.BooleanFilter()

    class Meta:
        model = CreditRecord
        fields = ["enterprise", "since", "scored"]


class DrawFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="district__code")
    campaign = django_filters.NumberFilter()

    class Meta:
        model = RandomDraw
        fields = ["district", "campaign"]
