"""The registry: regions, reference codes, enterprises, projects, people, engagements, status requests."""

from projects.models.accounts import User
from projects.models.enterprises import Enterprise
from projects.models.people import Engagement, IdentityConflict, Person
from projects.models.projects import Project, ProjectParticipant
from projects.models.regions import ReferenceCode, Region
from projects.models.status import ProjectStatusChange, StatusRequest, StatusRequestAttachment

__all__ = [
    "Engagement",
    "Enterprise",
    "IdentityConflict",
    "Person",
    "Project",
    "ProjectParticipant",
    "ProjectStatusChange",
    "ReferenceCode",
    "Region",
    "StatusRequest",
    "StatusRequestAttachment",
    "User",
]
