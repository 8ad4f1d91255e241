"""我的账号: the account holder's own name and phone (the 填报人 and 联系方式 of what it files)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.services.accounts import account_contact_set
from reports.dashboard.kept_forms import form_refused, form_restored
from reports.selectors import reporter_name


class ContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=30)
    phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=32, required=False)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    key = "account-contact"
    if request.method == "POST":
        form = ContactForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(dict(form.errors))
            account_contact_set(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_refused(request, key, error)
            return redirect("dashboard:account")
        messages.success(request, _("Saved: your name and phone are filled in on the workbooks you download."))
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/reports/") else "dashboard:account")
    form = form_restored(
        request, key, ContactForm, initial={"name": reporter_name(request.user), "phone": request.user.phone}
    )
    return render(request, "reports/dashboard/account.html", {"form": form, "next": request.GET.get("next", "")})
