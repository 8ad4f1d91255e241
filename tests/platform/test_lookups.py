"""AnyOf: a column equal to one of many values, sent to PostgreSQL as one array parameter (the night's ~100,000
alert keys and ids), answering as `__in` does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from projects.models import Region
from smz_platform.common.lookups import AnyOf

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    return [Region.objects.create(code=f"3302{n:02d}", name=f"区{n}", level="district") for n in range(1, 6)]


def test_it_finds_and_excludes_what_in_does(regions):
    codes = {regions[0].code, regions[3].code, "999999"}
    ids = [regions[1].pk, regions[2].pk]
    found = set(Region.objects.filter(AnyOf(F("code"), codes)))
    assert found == set(Region.objects.filter(code__in=codes)) == {regions[0], regions[3]}
    assert set(Region.objects.exclude(AnyOf(F("pk"), ids))) == {regions[0], regions[3], regions[4]}


def test_no_values_match_nothing_and_exclude_nothing(regions):
    assert not Region.objects.filter(AnyOf(F("code"), [])).exists()
    assert Region.objects.exclude(AnyOf(F("pk"), [])).count() == 5


def test_the_values_go_as_one_array_parameter_not_one_each(regions):
    values = [f"{n:06d}" for n in range(20_000)] + [regions[4].code]
    with CaptureQueriesContext(connection) as queries:
        found = list(Region.objects.filter(AnyOf(F("code"), values)))
    assert found == [regions[4]]
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert '"projects_region"."code" = ANY(' in sql and " IN (" not in sql


def test_values_are_prepared_for_their_column(regions):
    # Prepared as the column prepares them (an id given as text is an integer), as `__in` does.
    assert list(Region.objects.filter(AnyOf(F("pk"), [str(regions[2].pk)]))) == [regions[2]]
