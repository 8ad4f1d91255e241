"""The one scope's table: complete, documented (docs/access.md, generated from it), and alone in reading
an account's role (scripts/check_scope.py fails on a read anywhere else)."""

from __future__ import annotations

import ast
import io
import pathlib
import subprocess
import sys

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import CommandError, call_command

from projects.admin.base import ScopedMixin
from projects.scope.matrix import access_markdown
from projects.scope.table import RULES

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "access.md"
PLATFORM_APPS = ("projects", "devices", "attendance", "inspections", "wages", "reports", "common")
sys.path.insert(0, str(ROOT / "scripts"))
import check_scope  # noqa: E402


def test_every_model_of_the_platform_says_who_may_see_and_do_what():
    models = {m._meta.label_lower for label in PLATFORM_APPS for m in apps.get_app_config(label).get_models()}
    assert models - set(RULES) == set(), "models nobody said who may see"


def test_every_admin_page_is_cut_by_the_scope():
    unscoped = [
        model._meta.label_lower
        for model, page in admin.site._registry.items()
        if not isinstance(page, ScopedMixin) or model._meta.label_lower not in RULES
    ]
    assert unscoped == []


def test_the_committed_page_is_the_tables():
    assert DOC.read_text(encoding="utf-8") == access_markdown(), "run `python manage.py access_matrix`"


def test_the_page_names_every_model_and_action():
    text = access_markdown()
    for label, rule in RULES.items():
        assert f"`{label}`" in text
        for action in rule.actions:
            assert f"（`{action}`）" in text, (label, action)


def test_the_check_fails_on_a_stale_page(tmp_path, settings):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "access.md").write_text("old", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="stale"):
        call_command("access_matrix", "--check", stdout=io.StringIO())
    call_command("access_matrix", stdout=io.StringIO())
    call_command("access_matrix", "--check", stdout=io.StringIO())


def _finds(source: str) -> list[str]:
    finder = check_scope.Finder("reports/dashboard/example.py")
    finder.visit(ast.parse(source))
    return finder.found


@pytest.mark.parametrize(
    "source",
    [
        "def page(request):\n    return request.user.role == 'city'\n",
        "def page(user):\n    return user.district_id\n",
        "def page(self):\n    return self.request.user.enterprise\n",
        "def page(request):\n    return getattr(request.user, 'role', None)\n",
        "from projects.choices import Role\ndef page(role):\n    return role in (Role.CITY, Role.DISTRICT)\n",
        "def events(qs):\n    return qs.filter(user__role__in=['enterprise'])\n",
        "def page(user):\n    return user.has_perm('projects.view_full_id_number')\n",
        "from projects.scope.core import Kind\n",
        "def admin(request):\n    return request.user.is_superuser\n",
    ],
)
def test_the_lint_finds_a_role_read_outside_the_scope(source):
    assert _finds(source), source


@pytest.mark.parametrize(
    "source",
    [
        "from projects.choices import Role\ndef make():\n    return account('x', role=Role.CITY)\n",
        "from projects.choices import Role\nSPEC = {'username': 'x', 'role': Role.DISTRICT}\n",
        "def page(p):\n    return p.role == 'contractor'\n",  # a participant's role, not an account's
        "def page(qs):\n    return qs.filter(participations__role='contractor')\n",
        "def page(request):\n    return scope_of(request.user).can('regulate')\n",
    ],
)
def test_the_lint_leaves_alone_what_is_not_a_role_read(source):
    assert _finds(source) == [], source


def test_make_lint_fails_on_a_deliberate_violation(tmp_path):
    """The command `make lint` runs: clean on the tree, failing (exit 1, the line named) on a planted read."""
    clean = subprocess.run([sys.executable, "scripts/check_scope.py"], cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout
    planted = ROOT / "reports" / "dashboard" / "_planted_violation.py"
    planted.write_text("def page(request):\n    return request.user.role == 'city'\n", encoding="utf-8")
    try:
        failed = subprocess.run([sys.executable, "scripts/check_scope.py"], cwd=ROOT, capture_output=True, text=True)
    finally:
        planted.unlink()
    assert failed.returncode == 1
    assert "reports/dashboard/_planted_violation.py:2: an account's `role` read outside projects.scope" in failed.stdout
