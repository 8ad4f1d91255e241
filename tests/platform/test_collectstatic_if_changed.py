"""manage.py collectstatic_if_changed collects once for what the finders find, and again when that changes."""

from __future__ import annotations

import io
import os
import threading

from django.core.management import call_command


def _collect() -> str:
    out = io.StringIO()
    call_command("collectstatic_if_changed", stdout=out)
    return out.getvalue().strip()


def _site(settings, tmp_path, storage: str):
    """A site's one static file in its own folder, collected into another with `storage` (Django's)."""
    sources, root = tmp_path / "static", tmp_path / "collected"
    sources.mkdir()
    (sources / "site.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [sources]
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": f"django.contrib.staticfiles.storage.{storage}"},
    }
    return sources, root


def test_it_collects_once_and_again_when_a_file_or_the_storage_changes(settings, tmp_path):
    sources, root = _site(settings, tmp_path, "StaticFilesStorage")
    plain = settings.STORAGES

    assert _collect() == "the static files collected"
    assert (root / "site.css").read_text() == "body { color: black; }"
    assert (root / "admin" / "css" / "base.css").exists()  # an app's files too

    (root / "site.css").write_text("tampered")  # not collected again: nothing it would collect changed
    assert _collect() == "the static files are collected already"
    assert (root / "site.css").read_text() == "tampered"

    (sources / "site.css").write_text("body { color: red; }")
    stat = (sources / "site.css").stat()
    os.utime(sources / "site.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert _collect() == "the static files collected"
    assert (root / "site.css").read_text() == "body { color: red; }"

    (sources / "extra.js").write_text("1;")  # a new file
    assert _collect() == "the static files collected"
    assert (root / "extra.js").exists()

    settings.STORAGES = {
        **plain,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    assert _collect() == "the static files collected"  # another storage: hashed names and a manifest now
    assert (root / "staticfiles.json").exists()
    (root / "staticfiles.json").unlink()  # the manifest gone: collected again, whatever the key says
    assert _collect() == "the static files collected"
    assert (root / "staticfiles.json").exists()


def test_two_at_once_take_turns_and_the_second_finds_the_first_ones_collection(settings, tmp_path):
    _sources, root = _site(settings, tmp_path, "ManifestStaticFilesStorage")
    said: list[str] = []
    runs = [threading.Thread(target=lambda: said.append(_collect())) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sorted(said) == ["the static files are collected already", "the static files collected"]
    assert (root / "staticfiles.json").exists()
