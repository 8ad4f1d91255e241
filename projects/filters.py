"""Query filters of the registry's lists (django-filter)."""

from __future__ import annotations

import django_filters

from projects.choices import Category, ProjectKind, ProjectStatus, StatusOnDay, StatusRequestKind, StatusRequestState
from projects.models import Engagement, Enterprise, Project, Region, StatusRequest


class RegionFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Region
        fields = ["level", "parent"]


class EnterpriseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        method="filter_kind", choices=[(k, k) for k in ("owner", "contractor", "subcontractor", "supervisor", "vendor")]
    )
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Enterprise
        fields = ["kind", "name"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True})


class ProjectFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="district__code")
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)  # the last approval's record
    status_today = django_filters.ChoiceFilter(choices=StatusOnDay.choices)  # as every page counts it
    kind = django_filters.ChoiceFilter(choices=ProjectKind.choices)
    name = django_filters.CharFilter(lookup_expr="icontains")
    enterprise = django_filters.CharFilter(field_name="participants__enterprise__uscc", distinct=True)

    class Meta:
        model = Project
        fields = ["district", "status", "status_today", "kind", "name", "enterprise"]


class EngagementFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices)
    position = django_filters.CharFilter()
    employer = django_filters.CharFilter(field_name="employer__uscc")
    active = django_filters.BooleanFilter(field_name="exited_on", lookup_expr="isnull")
    team = django_filters.CharFilter()

    class Meta:
        model = Engagement
        fields = ["category", "position", "employer", "active", "team"]


class StatusRequestFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__permit_no")
    district = django_filters.CharFilter(field_name="project__district__code")
    kind = django_filters.ChoiceFilter(choices=StatusRequestKind.choices)
    state = django_filters.ChoiceFilter(choices=StatusRequestState.choices)

    class Meta:
        model = StatusRequest
        fields = ["project", "district", "kind", "state"]
