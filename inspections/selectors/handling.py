"""Where an alert stands with the regulators (处置状态): the one answer the overview's 未处理预警 card, the
rule chart, the triage list's filter and state column, the alert's page and the API read.

An alert is 待处理 while nobody has looked at it, 已确认 once staff acknowledged it, 已立案 once a case
took it up (whatever its state: the case is now where it is handled), 已解决 when the rules found the
condition gone, 已排除 when staff dismissed it. 未处理 counts 待处理 and 已确认: the alerts that still need
someone to act, and exactly those.
"""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

from inspections.models import Alert, AlertState
from inspections.models.rules import Handling

TO_HANDLE = (Handling.OPEN, Handling.ACKNOWLEDGED)


def in_case() -> Exists:
    return Exists(Alert.cases.through.objects.filter(alert_id=OuterRef("pk")))


def to_handle_q() -> Q:
    """未处理: open or acknowledged, and in no case."""
    return Q(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]) & Q(~in_case())


def handling() -> Case:
    return Case(
        When(state=AlertState.DISMISSED, then=Value(Handling.DISMISSED)),
        When(state=AlertState.RESOLVED, then=Value(Handling.RESOLVED)),
        When(in_case(), then=Value(Handling.IN_CASE)),
        When(state=AlertState.ACKNOWLEDGED, then=Value(Handling.ACKNOWLEDGED)),
        default=Value(Handling.OPEN),
        output_field=CharField(),
    )


def with_handling(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    """The alerts annotated ``handling`` (a page shows ``alert.handling_label``)."""
    return queryset.annotate(handling=handling())
