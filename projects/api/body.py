"""What a request body names, read as the account reads it."""

from __future__ import annotations

from django.http import Http404
from rest_framework.exceptions import ValidationError

from projects.models import Project, User
from projects.selectors import project_get


def named_project(*, user: User, permit_no: str) -> Project:
    """The project a body's ``project`` field names, if the account may see it.

    Answered on the field (400) whether the permit number is unknown or another jurisdiction's, so that
    the two read the same; a project named in the path is ``project_get``'s 404.
    """
    try:
        return project_get(user=user, permit_no=permit_no)
    except Http404 as missing:
        raise ValidationError({"project": [str(missing)]}) from None
