"""专项整治行动 and 双随机抽查: campaigns, and random draws that anyone can reproduce from their seed."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import CampaignPhase
from inspections.models import Campaign, CampaignPhaseDates, RandomDraw
from inspections.selectors import open_findings_by_project
from projects.choices import RegionLevel, StatusOnDay
from projects.models import Region, User
from projects.scope import scope_of
from projects.selectors import projects_by_status
from smz_platform.common.errors import Conflict

MAX_DRAW = 200
MAX_INSPECTOR_POOL = 100
MAX_INSPECTORS = 20


@dataclass(frozen=True)
class PhaseIn:
    phase: str
    starts_on: dt.date
    ends_on: dt.date


def campaign_create(
    *, user: User, name: str, starts_on: dt.date, ends_on: dt.date, districts: list[Region], phases: list[PhaseIn]
) -> Campaign:
    """The city launches a campaign: its period, the four phases in order within it, the districts."""
    scope = scope_of(user)
    scope.require("launch_campaign")
    for district in districts:
        scope.authorize(district, "launch_campaign")
    if not name.strip():
        raise ValidationError({"name": [_("Name the campaign.")]})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The campaign ends before it starts.")]})
    if not districts or any(d.level != RegionLevel.DISTRICT for d in districts):
        raise ValidationError({"districts": [_("Name the districts that take part.")]})
    if sorted(p.phase for p in phases) != sorted(CampaignPhase.values):
        raise ValidationError({"phases": [_("Give each of the four phases once, with its dates.")]})
    ordered = sorted(phases, key=lambda p: CampaignPhase.values.index(p.phase))
    for phase in ordered:
        if phase.ends_on < phase.starts_on or phase.starts_on < starts_on or phase.ends_on > ends_on:
            raise ValidationError({"phases": [_("Each phase runs within the campaign's period, start before end.")]})
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.starts_on < before.starts_on:
            raise ValidationError({"phases": [_("The phases follow each other in the order of the notice.")]})
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip()[:200], starts_on=starts_on, ends_on=ends_on, created_by=user
        )
        campaign.districts.set(districts)
        CampaignPhaseDates.objects.bulk_create(
            CampaignPhaseDates(campaign=campaign, phase=p.phase, starts_on=p.starts_on, ends_on=p.ends_on)
            for p in ordered
        )
    return campaign


def weighted_draw(candidates: list[tuple[str, int]], *, size: int, seed: str) -> list[str]:
    """Draw `size` of the candidates without replacement, each with probability proportional to its
    weight (Efraimidis–Spirakis: the largest keys u^(1/w)). The candidates' order and the seed fix the
    result, so the draw can be re-run and checked."""
    rng = random.Random(seed)
    keyed = [(rng.random() ** (1 / weight), permit_no) for permit_no, weight in candidates]
    keyed.sort(key=lambda item: item[0], reverse=True)
    return [permit_no for _key, permit_no in keyed[:size]]


def random_draw_make(
    *,
    user: User,
    district: Region,
    size: int,
    seed: str | None = None,
    campaign: Campaign | None = None,
    token: uuid.UUID | None = None,
    inspector_pool: list[str] | None = None,
    inspector_count: int = 0,
) -> RandomDraw:
    """双随机: draw projects under construction in the district, each weighted 1 + its open findings, and
    (鄂建文〔2019〕27号 三(二)) `inspector_count` inspectors from `inspector_pool`, each equally. A
    request's `token` makes it once: the same token again answers the draw it made."""
    scope_of(user).authorize(district, "draw")
    if token is not None:
        made = RandomDraw.objects.filter(request_token=token, drawn_by=user).first()
        if made is not None:
            return made
    if district.level != RegionLevel.DISTRICT:
        raise ValidationError({"district": [_("Draw within one district.")]})
    if not 1 <= size <= MAX_DRAW:
        raise ValidationError({"size": [_("Draw between 1 and %(max)d projects.") % {"max": MAX_DRAW}]})
    if seed is not None and not (1 <= len(seed) <= 64 and seed.isprintable()):
        raise ValidationError({"seed": [_("A seed is 1 to 64 printable characters.")]})
    pool = _inspector_pool(inspector_pool or [], inspector_count)
    today = timezone.localdate()
    # The pool: the district's projects 在建 or 停工 today (a stopped site is inspected to see that it is).
    projects = list(
        projects_by_status(today, StatusOnDay.ACTIVE, StatusOnDay.SUSPENDED)
        .filter(district=district)
        .order_by("permit_no")
        .values_list("pk", "permit_no")
    )
    if not projects:
        raise ValidationError({"district": [_("The district has no project under construction to draw from.")]})
    if size > len(projects):  # never record "drew 99" over a pool of 3
        raise ValidationError(
            {
                "size": [
                    _(
                        "The district has only %(n)d projects under construction or suspended "
                        "to draw from; draw at most that many."
                    )
                    % {"n": len(projects)}
                ]
            }
        )
    findings = open_findings_by_project([pk for pk, _permit in projects])
    candidates = [(permit_no, 1 + findings.get(pk, 0)) for pk, permit_no in projects]
    seed = seed or secrets.token_hex(8)
    drawn = weighted_draw(candidates, size=size, seed=seed)
    inspectors = draw_inspectors(pool, count=inspector_count, seed=seed)
    try:
        with transaction.atomic():
            return _record_draw(
                district=district,
                campaign=campaign,
                size=size,
                seed=seed,
                candidates=candidates,
                drawn=drawn,
                user=user,
                token=token,
                pool=pool,
                inspectors=inspectors,
            )
    except IntegrityError:  # the same request, sent twice at once: the first one drew
        made = RandomDraw.objects.filter(request_token=token, drawn_by=user).first() if token else None
        if made is None:
            raise Conflict("token", _("This draw request was already used; open the form again.")) from None
        return made


def _inspector_pool(names: list[str], count: int) -> list[str]:
    """The pool as named (blank lines and repeats dropped), checked against the number to draw."""
    pool = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if len(pool) > MAX_INSPECTOR_POOL or any(len(name) > 32 or not name.isprintable() for name in pool):
        raise ValidationError(
            {
                "inspector_pool": [
                    _("Name at most %(n)d inspectors, each in at most 32 characters, one per line.")
                    % {"n": MAX_INSPECTOR_POOL}
                ]
            }
        )
    if not 0 <= count <= MAX_INSPECTORS:
        raise ValidationError({"inspector_count": [_("Draw between 0 and %(n)d inspectors.") % {"n": MAX_INSPECTORS}]})
    if count > len(pool):
        raise ValidationError(
            {
                "inspector_count": [
                    _("The pool names %(pool)d inspectors; draw at most that many.") % {"pool": len(pool)}
                ]
            }
        )
    return pool


def draw_inspectors(pool: list[str], *, count: int, seed: str) -> list[str]:
    """随机选派执法检查人员: `count` of the pool, each equally likely, by the draw's own seed (a second stream
    of it, so that the inspectors do not depend on the projects' candidates)."""
    return weighted_draw([(name, 1) for name in pool], size=count, seed=f"{seed}:inspectors") if count else []


def _record_draw(*, district, campaign, size, seed, candidates, drawn, user, token, pool, inspectors) -> RandomDraw:
    return RandomDraw.objects.create(
        request_token=token,
        district=district,
        campaign=campaign,
        size=size,
        seed=seed,
        candidates=[list(c) for c in candidates],
        drawn=drawn,
        inspector_pool=pool,
        inspectors=inspectors,
        drawn_by=user,
        drawn_at=timezone.now(),
    )


def random_draw_verify(*, draw: RandomDraw) -> bool:
    """Re-run a recorded draw from its seed and candidates: does it give the same projects and inspectors?"""
    candidates = [(permit_no, weight) for permit_no, weight in draw.candidates]
    inspectors = draw_inspectors(draw.inspector_pool, count=len(draw.inspectors), seed=draw.seed)
    return weighted_draw(candidates, size=draw.size, seed=draw.seed) == draw.drawn and inspectors == draw.inspectors
