"""建筑工人实名制管理平台: the municipal construction-worker real-name platform."""

# Load the Celery app whenever Django starts, so that @shared_task binds to it.
from .celery import app as celery_app

__all__ = ("celery_app",)
