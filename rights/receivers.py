"""What a rights board shows comes from the registry as it stands (rights.selectors.board_facts); its page is kept
rendered for the crowd of phones (smz_platform.common.publicpages). These receivers forget a board's kept pages
when a change of what it shows commits, whoever writes it (a service, the integration API, the admin), so that a
board can be kept long (BOARD_CACHE_SECONDS) and still show a new clerk or a firm's new name at once.

Model signals catch every save and delete; the registry's own signals catch its conditional updates (an exit).
A bulk write that sends neither shows when the kept copy expires."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_save, pre_delete

from projects import signals as registry
from projects.choices import Category
from projects.models import Engagement, Enterprise, Person, Project, ProjectParticipant, Region
from rights.selectors.board import LABOUR_CLERK
from rights.services.board import board_pages_forget
from wages.models import WageAccount


def _deleting(kwargs) -> bool:
    """A delete's boards are looked up before the row goes (they may go with it); a save's when it commits."""
    return kwargs.get("signal") is pre_delete


def _project(sender, instance: Project, **kwargs) -> None:
    if kwargs.get("created"):
        return  # no board names it yet
    board_pages_forget(where=Q(project_id=instance.pk), at_once=_deleting(kwargs))


def _of_project(sender, instance, **kwargs) -> None:
    """A participant (builder or general contractor) or the wage account's bank."""
    board_pages_forget(where=Q(project_id=instance.project_id), at_once=_deleting(kwargs))


def _participant_joined(sender, participant: ProjectParticipant, **kwargs) -> None:
    board_pages_forget(where=Q(project_id=participant.project_id))


def _enterprise(sender, instance: Enterprise, **kwargs) -> None:
    if kwargs.get("created"):
        return  # no board names it yet
    board_pages_forget(where=Q(project__participants__enterprise_id=instance.pk), at_once=_deleting(kwargs))


def _engagement(sender, instance: Engagement, **kwargs) -> None:
    if instance.category == Category.MANAGER:  # the labour clerk is a manager (a worker never shows)
        board_pages_forget(where=Q(project_id=instance.project_id), at_once=_deleting(kwargs))


def _engagement_exited(sender, engagement: Engagement, **kwargs) -> None:
    _engagement(sender, engagement)


def _person(sender, instance: Person, **kwargs) -> None:
    """The clerk's name: only a person who is a project's labour clerk shows on a board."""
    if kwargs.get("created"):
        return  # not a clerk yet (a registration's people: no query each)
    board_pages_forget(
        where=Q(
            project__engagements__person_id=instance.pk,
            project__engagements__category=Category.MANAGER,
            project__engagements__position=LABOUR_CLERK,
        ),
        at_once=_deleting(kwargs),
    )


def _region(sender, instance: Region, **kwargs) -> None:
    """A complaint line or a name: the boards of the projects in the region, at any level."""
    if kwargs.get("created"):
        return
    board_pages_forget(
        where=Q(project__district_id=instance.pk)
        | Q(project__district__parent_id=instance.pk)
        | Q(project__district__parent__parent_id=instance.pk),
        at_once=_deleting(kwargs),
    )


def connect() -> None:
    for model, receiver in [
        (Project, _project),
        (ProjectParticipant, _of_project),
        (WageAccount, _of_project),
        (Enterprise, _enterprise),
        (Engagement, _engagement),
        (Person, _person),
        (Region, _region),
    ]:
        uid = f"rights-board-{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        pre_delete.connect(receiver, sender=model, dispatch_uid=uid)  # before the board goes with its project
    registry.participant_joined.connect(_participant_joined, dispatch_uid="rights-board-participant")
    registry.engagement_exited.connect(_engagement_exited, dispatch_uid="rights-board-exit")
