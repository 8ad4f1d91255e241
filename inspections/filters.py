from __future__ import annotations

import django_filters

from inspections.models import Alert, AlertState


class AlertFilter(django_filters.FilterSet):
    rule = django_filters.CharFilter()
    district = django_filters.CharFilter(field_name="project__district__code")
    project = django_filters.CharFilter(field_name="project__permit_no")
    state = django_filters.ChoiceFilter(choices=AlertState.choices)
    since = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")

    class Meta:
        model = Alert
        fields = ["rule", "district", "project", "state", "since"]
