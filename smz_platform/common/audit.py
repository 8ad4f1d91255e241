"""Writing the audit log (审计日志)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from smz_platform.common.clientip import client_ip
from smz_platform.common.models import AuditAction, AuditEvent


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as our own proxies saw it (smz_platform.common.clientip), never a hop the
    client wrote itself."""
    return client_ip(request)


def audit_event_record(
    *,
    user,
    action: AuditAction,
    what: str,
    record_count: int,
    request: HttpRequest | None = None,
    project_permit_no: str = "",
    username: str = "",
) -> AuditEvent:
    """`username` names who acted when no account did (a command run by an operator's shell)."""
    return AuditEvent.objects.create(
        at=timezone.now(),
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or username,
        action=action,
        what=what[:200],
        project_permit_no=project_permit_no,
        record_count=record_count,
        client_address=client_address(request),
    )
