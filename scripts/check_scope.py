"""make lint: nothing outside the one scope (projects/scope/) reads an account's role or jurisdiction.

Who may see or do what is answered by projects.scope alone; a page, route, admin class, report or task
that reads `user.role` (or an equivalent: the account's district, region or enterprise, its superuser or
staff flag, a role constant in a comparison or a query, a permission check, the scope's own Kind) keeps
a copy of that answer, and the next level or party added to the scope would not reach it.

Flagged, in the platform's Python files (tests, migrations and the scope package itself excepted):
- reading `.role`, `.district`, `.district_id`, `.region`, `.region_id`, `.enterprise`, `.enterprise_id`,
  `.is_superuser` or `.is_staff` of an account (a name or attribute called user, account, or ending
  in _user or _by: `request.user`, `self.request.user`, `submitted_by`);
- `getattr(<account>, "role")` and the like;
- a `Role.<member>` anywhere but as the value of a `role=` keyword or a `"role":` key (creating an account
  is not reading one);
- a query reaching an account's role through a relation (`user__role__in=...`, `submitted_by__role=...`);
- `.has_perm(` (permissions are the scope's: `scope_of(user).may_reveal_id_numbers()`);
- `Kind` imported from projects.scope (ask the scope's questions, not its kinds).
And in templates: `user.role`, `user.district`, `user.region`, `user.enterprise`, `user.is_superuser`,
`user.is_staff`, `perms.`.

Usage: python scripts/check_scope.py [paths...]   (exit 1 and one line per finding)
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("projects", "devices", "attendance", "inspections", "reports", "smz_platform", "bench", "faults", "scripts")
EXEMPT = ("projects/scope/", "/migrations/", "tests/", "scripts/check_scope.py", ".venv/")
# The account model itself declares the fields and their constraint.
EXEMPT_FILES = {"projects/models/accounts.py", "projects/choices.py"}
ACCOUNT_FIELDS = {
    "role",
    "district",
    "district_id",
    "region",
    "region_id",
    "enterprise",
    "enterprise_id",
    "is_superuser",
    "is_staff",
}
ACCOUNT_NAME = re.compile(r"^(user|account|.*_user|.*_by|user_obj)$")
# A query reaching an account's role through a relation: `user__role__in`, `submitted_by__role`.
ROLE_LOOKUP = re.compile(r"(^|__)(user|account|\w+_user|\w+_by)__role(__in)?$")
TEMPLATE = re.compile(r"\buser\.(role|district|region|enterprise|is_superuser|is_staff)\b|\bperms\.")


def _is_account(node: ast.AST) -> bool:
    """An expression naming an account: `user`, `request.user`, `self.request.user`, `submitted_by`."""
    if isinstance(node, ast.Name):
        return bool(ACCOUNT_NAME.match(node.id))
    if isinstance(node, ast.Attribute):
        return bool(ACCOUNT_NAME.match(node.attr))
    return False


class Finder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[str] = []
        self._role_keyword_values: set[int] = set()

    def _flag(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.path}:{node.lineno}: {what} outside projects.scope")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ACCOUNT_FIELDS and isinstance(node.ctx, ast.Load) and _is_account(node.value):
            self._flag(node, f"an account's `{node.attr}` read")
        if isinstance(node.value, ast.Name) and node.value.id == "Role" and id(node) not in self._role_keyword_values:
            self._flag(node, f"`Role.{node.attr}` used")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "role":
                self._role_keyword_values.add(id(keyword.value))
            elif keyword.arg and ROLE_LOOKUP.search(keyword.arg):
                self._flag(node, f"a query on an account's role (`{keyword.arg}`)")
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "has_perm":
            self._flag(node, "a permission check")
        if (
            isinstance(func, ast.Name)
            and func.id in ("getattr", "hasattr")
            and len(node.args) >= 2
            and _is_account(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in ACCOUNT_FIELDS
        ):
            self._flag(node, f"an account's `{node.args[1].value}` read")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        # `extra_fields["role"] = Role.CITY` creates an account: a write, not a read.
        if any(
            isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and t.slice.value == "role"
            for t in node.targets
        ):
            self._role_keyword_values.add(id(node.value))
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        # `{"username": "city", "role": Role.CITY}`: an account's fields, to create it.
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "role":
                self._role_keyword_values.add(id(value))
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").startswith("projects.scope") and any(alias.name == "Kind" for alias in node.names):
            self._flag(node, "the scope's `Kind` imported")
        self.generic_visit(node)


def check_python(path: Path) -> list[str]:
    relative = path.relative_to(ROOT).as_posix()
    finder = Finder(relative)
    finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=relative))
    return finder.found


def check_template(path: Path) -> list[str]:
    relative = path.relative_to(ROOT).as_posix()
    return [
        f"{relative}:{number}: `{match.group(0)}` in a template outside projects.scope"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in TEMPLATE.finditer(line)
    ]


def _exempt(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative in EXEMPT_FILES or any(part in f"/{relative}" or relative.startswith(part) for part in EXEMPT)


def files(roots: list[Path]) -> list[Path]:
    found = []
    for root in roots:
        candidates = [root] if root.is_file() else [*root.rglob("*.py"), *root.rglob("*.html")]
        found.extend(p for p in candidates if not _exempt(p))
    return sorted(set(found))


def main(argv: list[str]) -> int:
    roots = [Path(a).resolve() for a in argv] or [ROOT / name for name in SOURCES if (ROOT / name).exists()]
    problems = []
    for path in files(roots):
        problems += check_python(path) if path.suffix == ".py" else check_template(path)
    for line in problems:
        print(line)
    if problems:
        print(f"check_scope: {len(problems)} reads of an account's role or jurisdiction outside projects.scope")
        return 1
    print("check_scope: no account's role or jurisdiction is read outside projects.scope")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
