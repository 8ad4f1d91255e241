from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Regions, enterprises, projects, people, engagements and status requests: the ground floor."""

    name = "projects"
    verbose_name = _("Projects and people")

    def ready(self) -> None:
        from projects import sessions  # noqa: F401  (a login starts the session's idle clock)
