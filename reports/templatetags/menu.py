"""The left-hand menu of every page, rendered once per account, language and address prefix for the process's life.

The menu is some twenty links and thirty words, each a `{% url %}` or a `{% translate %}`: rendering it cost every
page (and every refusal and missing page) ~4 ms of CPU, more than the rest of a refusal. What it shows depends on
the account's kind (its capabilities), its district's code and name, the language and where the platform is mounted,
and on nothing else: those make the key, so a kept menu is what rendering would give again (a renamed district is
another key). The 待办 badge sits between the two kept halves, counted per request (base.html).
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HALVES = {"head": "reports/dashboard/_menu_head.html", "tail": "reports/dashboard/_menu_tail.html"}

_KEPT: dict[tuple, SafeString] = {}
_KEPT_MAX = 4096  # accounts × languages on one process; past it, the oldest half goes


@register.simple_tag(takes_context=True)
def side_menu(context, half: str) -> SafeString:
    scope = context["scope"]
    district = scope.district if scope.caps.get("district_home") else None
    key = (
        half,
        scope.key,
        (district.pk, district.code, district.name) if district is not None else None,
        translation.get_language(),
        get_script_prefix(),
        get_urlconf(),
    )
    kept = _KEPT.get(key)
    if kept is None:
        kept = mark_safe(render_to_string(HALVES[half], {"scope": scope, "district": district}))
        if len(_KEPT) >= _KEPT_MAX:
            for old in list(_KEPT)[: _KEPT_MAX // 2]:
                _KEPT.pop(old, None)
        _KEPT[key] = kept
    return kept
