"""ID numbers at rest and in answers (PIPL): encrypted, found by keyed hash, masked, audit-logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import override_settings

from projects.models import Person
from projects.services.people import person_find
from smz_platform.common import pii
from smz_platform.common.models import AuditEvent
from tests.factories import account, engage, id_number, person

pytestmark = pytest.mark.django_db

NUMBER = id_number("330203", "19900101", 123)


def all_text_in_the_database() -> str:
    """Every row of every table, read with plain SQL, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def grant_full_numbers(user):
    user.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    return type(user).objects.get(pk=user.pk)  # drop the permission cache


def test_the_raw_database_never_holds_an_id_number_in_clear_text(city):
    response = city.client("contractor").post(
        f"/api/v1/projects/{city.project.permit_no}/engagements/",
        {
            "id_number": NUMBER,
            "name": "王建国",
            "employer": city.contractor.uscc,
            "category": "worker",
            "entered_on": "2026-11-01",
        },
        format="json",
    )
    assert response.status_code == 201
    dump = all_text_in_the_database()
    assert NUMBER not in dump
    assert NUMBER[6:14] + NUMBER[14:17] not in dump  # not even birth date and sequence together
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, id_number_digest, id_number_masked FROM projects_person")
        encrypted, digest, masked = cursor.fetchone()
    assert encrypted.startswith("gAAAAA")  # a Fernet token
    assert len(digest) == 64 and NUMBER not in digest
    assert masked == NUMBER[:6] + "********" + NUMBER[-4:]


def test_a_person_is_found_again_by_the_keyed_hash():
    stored = person(NUMBER)
    assert person_find(id_number=NUMBER) == stored
    assert person_find(id_number=id_number(seq=999)) is None


def test_the_masked_form_keeps_the_region_and_the_last_four():
    assert pii.mask_id_number("330203199001011236") == "330203********1236"


def test_a_rotated_key_still_decrypts_and_lookups_survive(settings):
    old_key = settings.SMZ_PII_KEYS[-1]
    with override_settings(SMZ_PII_KEYS=[old_key]):
        stored = person(NUMBER)
    # A new key is put first; the old one stays last, so old tokens decrypt and digests still match.
    new_key = "bmV3LXJvdGF0ZWQta2V5LWZvci10ZXN0cy0wMTIzNDU="
    with override_settings(SMZ_PII_KEYS=[new_key, old_key]):
        assert Person.objects.get(pk=stored.pk).reveal_id_number() == NUMBER
        assert person_find(id_number=NUMBER) == stored
        rotated = pii.rotate(stored.id_number_encrypted)
    with override_settings(SMZ_PII_KEYS=[new_key]):
        assert pii.decrypt(rotated) == NUMBER


def test_revealing_a_number_needs_the_permission(city):
    engagement = engage(city.project, city.contractor, who=person(NUMBER))
    url = f"/api/v1/projects/{city.project.permit_no}/engagements/{engagement.pk}/id-number/"
    assert city.client("city").get(url).status_code == 403
    assert AuditEvent.objects.count() == 0


def test_a_permitted_reveal_answers_the_full_number_and_writes_the_audit_log(city):
    engagement = engage(city.project, city.contractor, who=person(NUMBER))
    city.users["haishu"] = grant_full_numbers(city.users["haishu"])
    url = f"/api/v1/projects/{city.project.permit_no}/engagements/{engagement.pk}/id-number/"
    response = city.client("haishu").get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"engagement": engagement.pk, "id_number": NUMBER}
    event = AuditEvent.objects.get()
    assert (event.username, event.action, event.record_count, event.client_address) == (
        "haishu",
        "view_unmasked",
        1,
        "10.1.2.3",
    )
    assert event.project_permit_no == city.project.permit_no


def test_the_permission_does_not_reach_outside_the_jurisdiction(city):
    engagement = engage(city.project, city.contractor, who=person(NUMBER))
    city.users["jiangbei"] = grant_full_numbers(city.users["jiangbei"])
    url = f"/api/v1/projects/{city.project.permit_no}/engagements/{engagement.pk}/id-number/"
    assert city.client("jiangbei").get(url).status_code == 404
    assert AuditEvent.objects.count() == 0


def test_the_admin_shows_masked_numbers_and_reveals_only_with_the_permission(city, client):
    stored = person(NUMBER)
    engage(city.project, city.contractor, who=stored)
    viewer = account("auditor-less")
    client.force_login(viewer)
    page = client.get(f"/admin/projects/person/{stored.pk}/change/").content.decode()
    assert NUMBER not in page and stored.id_number_masked in page
    assert client.get(f"/admin/projects/person/{stored.pk}/reveal/").status_code == 403
    client.force_login(grant_full_numbers(viewer))
    revealed = client.get(f"/admin/projects/person/{stored.pk}/reveal/", follow=True).content.decode()
    assert NUMBER in revealed
    assert AuditEvent.objects.filter(username="auditor-less", action="view_unmasked").count() == 1


def test_gender_and_birth_year_are_derived_from_the_number():
    stored = person(NUMBER)
    assert stored.birth_year == 1990 and stored.age_on(dt.date(2026, 12, 1)) == 36
    assert stored.gender == "male"
