"""Site visits and random draws in the pages (issue 15): the form an inspector fills in on a phone at
the site (headcount, findings, a functional test of each device, photos from the camera), and the
双随机 draw with the projects it chose.

Both call the services the API calls (inspections/services/inspections.py, campaigns.py); the
inspection and its photos are written in one transaction, so a refused photo records nothing."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devices.models import Device
from inspections.choices import InspectionKind
from inspections.models import Campaign, RandomDraw
from inspections.rules import registry
from inspections.services import campaigns as campaign_services
from inspections.services import inspections as inspection_services
from projects.models import Project
from projects.scope import scope_of
from reports.dashboard.requests import date_input, form_errors
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_check

BLANK_FINDINGS = 5
MAX_PHOTOS = 10
PHOTO_TYPES = ("image/jpeg", "image/png")

# A device's functional test (吉建管〔2021〕6号 三(四)): what it did when shown a photo and a video.
DEVICE_TEST_CHOICES = [
    ("", gettext_lazy("Not tested")),
    ("refuses_both", gettext_lazy("Refused both the photo and the video")),
    ("accepts_photo", gettext_lazy("Accepted a photo")),
    ("accepts_video", gettext_lazy("Accepted a video")),
    ("accepts_both", gettext_lazy("Accepted both")),
]
_TEST_RESULTS = {
    "refuses_both": (True, True),
    "accepts_photo": (False, True),
    "accepts_video": (True, False),
    "accepts_both": (False, False),
}


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        initial=InspectionKind.SITE_VISIT,
        choices=[(k.value, k.label) for k in (InspectionKind.SITE_VISIT, InspectionKind.ONLINE_PATROL)],
    )
    day = forms.DateField(label=gettext_lazy("Date"), widget=date_input())
    inspectors = forms.CharField(label=gettext_lazy("Inspectors"), max_length=200)
    headcount = forms.IntegerField(
        label=gettext_lazy("Headcount on site"),
        min_value=0,
        max_value=100_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    draw = forms.ChoiceField(label=gettext_lazy("Random draw"), required=False)

    def __init__(self, *args, project: Project, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["day"].initial = timezone.localdate()
        self.fields["inspectors"].initial = user.get_full_name() or user.username
        campaigns = Campaign.objects.restrict(user, "view").filter(districts=project.district_id)
        self.campaigns = {str(c.pk): c for c in campaigns[:50]}
        draws = RandomDraw.objects.restrict(user, "view").filter(district=project.district_id)[:200]
        self.draws = {str(d.pk): d for d in draws if project.permit_no in d.drawn}
        self.fields["campaign"].choices = [("", "—")] + [(k, c.name) for k, c in self.campaigns.items()]
        self.fields["draw"].choices = [("", "—")] + [
            (k, f"{timezone.localtime(d.drawn_at):%Y年%m月%d日}（{d.size}）") for k, d in self.draws.items()
        ]
        self.devices = list(Device.objects.filter(project=project).order_by("serial"))
        self.categories = [(spec.code, f"{spec.code} {spec.label}") for spec in registry()]

    def findings(self) -> list[inspection_services.FindingIn]:
        rows = []
        for n in range(BLANK_FINDINGS):
            category = self.data.get(f"finding-{n}-category", "")
            description = self.data.get(f"finding-{n}-description", "")[:2000]
            if category or description.strip():
                if not category:
                    message = _("Finding %(n)d: choose its category.") % {"n": n + 1}
                    raise ValidationError({"findings": [message]})
                rows.append(inspection_services.FindingIn(category=category, description=description))
        return rows

    def device_tests(self) -> list[inspection_services.DeviceTestIn]:
        tests = []
        for device in self.devices:
            result = self.data.get(f"test-{device.serial}", "")
            if not result:
                continue
            if result not in _TEST_RESULTS:
                raise ValidationError(
                    {"device_tests": [_("Unknown test result for device %(serial)s.") % {"serial": device.serial}]}
                )
            refuses_photo, refuses_video = _TEST_RESULTS[result]
            tests.append(
                inspection_services.DeviceTestIn(
                    serial=device.serial, refuses_photo=refuses_photo, refuses_video=refuses_video
                )
            )
        return tests


def _photos(request: HttpRequest) -> list[bytes]:
    files = request.FILES.getlist("photos")
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}]})
    contents = []
    for upload in files:
        content = upload.read()
        try:
            file_check(content=content, field="photos", allowed=PHOTO_TYPES)
        except ValidationError as error:
            raise ValidationError({"photos": [f"{upload.name}：{m}" for m in error.message_dict["photos"]]}) from error
        contents.append(content)
    return contents


@login_required
def inspection_new(request: HttpRequest, permit_no: str) -> HttpResponse:
    """检查记录: the regulators of the project's district record what they saw there."""
    projects = Project.objects.restrict(request.user, "view").select_related("district")
    project = get_object_or_404(projects, permit_no=permit_no)
    scope_of(request.user).authorize(
        project, "enforce", _("Only the regulators of the project's district record inspections.")
    )
    form = VisitForm(request.POST or None, project=project, user=request.user)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(dict(form.errors.items()))
            data = form.cleaned_data
            findings, tests, photos = form.findings(), form.device_tests(), _photos(request)
            with transaction.atomic():  # the record and its photos, or nothing
                inspection = inspection_services.inspection_record(
                    user=request.user,
                    project=project,
                    kind=data["kind"],
                    day=data["day"],
                    inspectors=data["inspectors"],
                    headcount=data["headcount"],
                    notes=data["notes"],
                    findings=findings,
                    device_tests=tests,
                    campaign=form.campaigns.get(data["campaign"]),
                    draw=form.draws.get(data["draw"]),
                )
                for n, content in enumerate(photos):
                    inspection_services.inspection_photo_add(
                        user=request.user,
                        inspection=inspection,
                        caption=_("Site photo %(n)d") % {"n": n + 1},
                        content=content,
                    )
        except (ValidationError, Conflict) as error:
            form_errors(request, error, form)
        else:
            found = inspection.findings.count()
            messages.success(request, _("The inspection was recorded with %(n)d findings.") % {"n": found})
            return redirect(reverse("dashboard:project", args=[project.permit_no]) + "#inspections")
    return render(
        request,
        "reports/dashboard/inspection_new.html",
        {
            "project": project,
            "form": form,
            "rows": range(BLANK_FINDINGS),
            "test_choices": DEVICE_TEST_CHOICES,
            "posted": request.POST,
        },
    )


class DrawForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("District"))
    size = forms.IntegerField(
        label=gettext_lazy("Projects to draw"), min_value=1, max_value=campaign_services.MAX_DRAW, initial=5
    )
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    inspector_pool = forms.CharField(
        label=gettext_lazy("Inspector pool (one name per line)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 18}),
    )
    inspector_count = forms.IntegerField(
        label=gettext_lazy("Inspectors to draw"),
        min_value=0,
        required=False,
        max_value=campaign_services.MAX_INSPECTORS,
        initial=2,
    )
    # One submission, one draw (a double click or a refresh draws nothing more); what it does, ticked first.
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm: the draw is recorded as it falls; it cannot be drawn again or deleted.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = scope_of(user).districts().order_by("code")
        self.districts = {str(d.pk): d for d in districts}
        self.campaigns = {str(c.pk): c for c in Campaign.objects.restrict(user, "view")[:50]}
        self.fields["district"].choices = [(k, d.name) for k, d in self.districts.items()]
        self.fields["campaign"].choices = [("", "—")] + [(k, c.name) for k, c in self.campaigns.items()]


@login_required
def draws(request: HttpRequest) -> HttpResponse:
    """双随机抽查: draw projects of a district, weighted by their open findings; every draw listed with
    its seed, so that anyone can re-run it."""
    scope_of(request.user).require("regulate")
    # The pool is the district's law-enforcement staff: offered again as it was last named.
    last = RandomDraw.objects.restrict(request.user, "view").exclude(inspector_pool=[]).first()
    form = DrawForm(
        request.POST or None,
        user=request.user,
        initial={"inspector_pool": "\n".join(last.inspector_pool) if last else ""},
    )
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(dict(form.errors.items()))
            data = form.cleaned_data
            made = campaign_services.random_draw_make(
                user=request.user,
                district=form.districts[data["district"]],
                size=data["size"],
                campaign=form.campaigns.get(data["campaign"]),
                token=data["token"],
                inspector_pool=data["inspector_pool"].splitlines(),
                inspector_count=data["inspector_count"] or 0,
            )
        except (ValidationError, Conflict) as error:
            form_errors(request, error, form)
        else:
            messages.success(
                request,
                _("%(n)d projects and %(m)d inspectors were drawn.")
                % {"n": len(made.drawn), "m": len(made.inspectors)},
            )
            return redirect(reverse("dashboard:draws") + f"#draw-{made.pk}")
    recent = list(RandomDraw.objects.restrict(request.user, "view").select_related("district", "drawn_by")[:20])
    permits = {p for d in recent for p in d.drawn}
    projects = Project.objects.restrict(request.user, "view")
    names = dict(projects.filter(permit_no__in=permits).values_list("permit_no", "name"))
    for draw in recent:
        draw.projects = [(p, names.get(p, p)) for p in draw.drawn]
        draw.reproduced = campaign_services.random_draw_verify(draw=draw)
    return render(request, "reports/dashboard/draws.html", {"form": form, "draws": recent})
