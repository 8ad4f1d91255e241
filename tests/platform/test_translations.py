"""The Chinese catalogue is complete and its compiled form is the one committed."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project-Id' not in block:
            raise AssertionError(f"fuzzy entry: {block}")
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            unquote = lambda s: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s)).replace('\\"', '"')  # noqa: E731
            if unquote(msgid.group(1)):
                entries[unquote(msgid.group(1))] = unquote(msgstr.group(1))
    return entries


def test_every_string_has_a_chinese_translation():
    missing = [msgid for msgid, msgstr in po_entries().items() if not msgstr]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po_entries().items() if compiled.gettext(msgid) != msgstr]
    assert stale == []
