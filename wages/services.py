"""Writes of the wage records: the special account, the owner's deposits, the monthly wage sheets.

Every write asks the one scope (projects.scope) who may do it, checks all its input before it writes
anything, and writes in one transaction: a sheet is whole or absent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.selectors import policies_in_force
from projects.identity import InvalidIdNumber, parse_id_number
from projects.models import Engagement, Enterprise, Person, Project, User
from projects.scope import scope_of
from smz_platform.common import pii
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_store
from smz_platform.common.models import AuditAction
from smz_platform.common.months import month_end, month_start
from wages import signals
from wages.choices import BankStatus, ContractPeriod, PayUnit, SheetState
from wages.models import ExitSettlement, LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet
from wages.selectors import ExpiredRecords, attended_days, wage_records_expired

ACCOUNT_NUMBER = re.compile(r"\d{8,32}")
CARD_NUMBER = re.compile(r"\d{12,19}")  # the lengths of China's bank cards (UnionPay: 16–19)
MAX_AMOUNT = Decimal("9999999999.99")


def _not_future(field: str, day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [_("The date %(date)s is in the future.") % {"date": day.isoformat()}]})


def _amount(value: object) -> Decimal:
    """A sum of yuan with at most two decimals, not negative; raises ValueError with the reason."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("“%(value)s” is not an amount of yuan.") % {"value": value}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(_("“%(value)s” is not an amount of yuan.") % {"value": value})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("An amount has at most two decimals (fen)."))
    return amount.quantize(Decimal("0.01"))


# --- The wage special account and the owner's deposits -----------------------------------------------


def wage_account_open(
    *, user: User, project: Project, bank: str, account_name: str, number: str, opened_on: dt.date
) -> WageAccount:
    """开立工资专用账户: entered by the project's general contractor; one per project."""
    scope_of(user).authorize(project, "keep_wage_account")
    number = re.sub(r"\s", "", number or "")
    errors = {}
    if not ACCOUNT_NUMBER.fullmatch(number):
        errors["number"] = [_("An account number is 8 to 32 digits.")]
    if not (bank or "").strip():
        errors["bank"] = [_("Name the bank.")]
    if not (account_name or "").strip():
        errors["account_name"] = [_("Name the account holder.")]
    if errors:
        raise ValidationError(errors)
    _not_future("opened_on", opened_on)
    try:
        with transaction.atomic():
            return WageAccount.objects.create(
                project=project,
                bank=bank.strip(),
                account_name=account_name.strip(),
                number_encrypted=pii.encrypt_as(number, pii.BANK_ACCOUNT),
                number_masked=pii.mask_bank_account(number),
                opened_on=opened_on,
                opened_by=user,
            )
    except IntegrityError:
        raise Conflict("project", _("This project already has its wage special account.")) from None


def labour_deposit_record(
    *, user: User, project: Project, paid_on: dt.date, amount: object, first_month: dt.date, last_month: dt.date
) -> LabourCostDeposit:
    """人工费用拨付: the owner's payment into the special account, entered by the general contractor."""
    scope_of(user).authorize(project, "keep_wage_account")
    if not WageAccount.objects.filter(project=project).exists():
        raise ValidationError({"project": [_("Open the project's wage special account first.")]})
    try:
        value = _amount(amount)
    except ValueError as error:
        raise ValidationError({"amount": [str(error)]}) from None
    if value == 0:
        raise ValidationError({"amount": [_("A deposit is more than zero.")]})
    _not_future("paid_on", paid_on)
    first, last = month_start(first_month), month_start(last_month)
    if last < first:
        raise ValidationError({"last_month": [_("The last month covered is before the first.")]})
    return LabourCostDeposit.objects.create(
        project=project, paid_on=paid_on, amount=value, first_month=first, last_month=last, entered_by=user
    )


# --- Monthly wage sheets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One worker's line as its employer gives it (the API, the admin or a workbook row)."""

    person: Person | None = None  # or, as the API and a workbook name him, his ID number
    id_number: str = ""
    due: object = None
    paid: object = 0
    paid_on: dt.date | None = None
    card: str = ""
    through_special_account: bool = True
    name: str = ""  # when given (a workbook's 姓名), it must be the registered name of the ID number
    row: int = 0  # a workbook's row number, named in its errors instead of the line's


def _people(lines: Sequence[LineInput]) -> dict[str, Person]:
    """The registered people the lines name by ID number, by their lookup digest (one query)."""
    digests = {}
    for line in lines:
        if line.person is None:
            try:
                digests[line.id_number] = pii.lookup_digest(parse_id_number(line.id_number).number)
            except InvalidIdNumber:
                continue
    found = {p.id_number_digest: p for p in Person.objects.filter(id_number_digest__in=digests.values())}
    return {number: found[digest] for number, digest in digests.items() if digest in found}


def _line_errors(
    number: int, line: LineInput, engaged: dict[int, Engagement], seen: set[int], month: dt.date
) -> tuple[list[str], dict]:
    reasons: list[str] = []
    values: dict = {}
    person = line.person
    if person is None:
        # seed 001 §三(三): no wage through the special account to a person not registered on the platform.
        return (
            [_("line %(n)d: %(reason)s") % {"n": number, "reason": _("No registered person has this ID number.")}],
            {},
        )
    values["person"] = person
    if line.name and line.name != person.name:
        reasons.append(_("The name %(name)s is not the registered name of this ID number.") % {"name": line.name})
    if person.pk in seen:
        reasons.append(_("%(name)s has a line already.") % {"name": person.name})
    seen.add(person.pk)
    engagement = engaged.get(person.pk)
    if engagement is None:
        # seed 001 §三(三): no wage through the special account to a worker not registered on the project.
        reasons.append(
            _("%(name)s is not engaged on this project by this employer in %(month)s.")
            % {"name": person.name, "month": f"{month:%Y-%m}"}
        )
    values["engagement"] = engagement
    for field in ("due", "paid"):
        try:
            values[field] = _amount(getattr(line, field))
        except ValueError as error:
            reasons.append(f"{field}: {error}")
    if values.get("paid") and line.paid_on is None:
        reasons.append(_("A paid line has its pay date."))
    if line.paid_on is not None:
        if line.paid_on > timezone.localdate():
            reasons.append(_("The pay date %(date)s is in the future.") % {"date": line.paid_on.isoformat()})
        elif line.paid_on < month:
            reasons.append(
                _("The pay date %(date)s is before the month the wages are for.") % {"date": line.paid_on.isoformat()}
            )
    card = re.sub(r"\s", "", line.card or "")
    if not CARD_NUMBER.fullmatch(card):
        reasons.append(_("A bank card number is 12 to 19 digits."))
    values["card"] = card
    return ([_("line %(n)d: %(reason)s") % {"n": number, "reason": r} for r in reasons], values)


def wage_sheet_prepare(
    *, user: User, project: Project, employer: Enterprise, month: dt.date, lines: Sequence[LineInput], team: str = ""
) -> WageSheet:
    """编制工资支付表: the employer prepares its month; each line's valid attended days come from presence.
    Every line is checked before anything is written; the errors name the line and the reason."""
    if not scope_of(user).may_prepare_wages(project, employer):
        scope_of(user).authorize(project, "view")  # outside what it reads: 404
        raise ValidationError({"employer": [_("You may prepare wage sheets only for your own enterprise's workers.")]})
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValidationError({"month": [_("The month %(month)s has not begun.") % {"month": f"{month:%Y-%m}"}]})
    if not lines:
        raise ValidationError({"lines": [_("A wage sheet has at least one line.")]})
    named = _people(lines)
    lines = [line if line.person is not None else replace(line, person=named.get(line.id_number)) for line in lines]
    engagements = Engagement.objects.filter(
        project=project,
        employer=employer,
        person__in=[line.person for line in lines if line.person is not None],
        entered_on__lte=month_end(month),
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=month))
    if team:
        engagements = engagements.filter(team=team)
    engaged = {e.person_id: e for e in engagements.order_by("entered_on")}
    errors: list[str] = []
    rows: list[dict] = []
    seen: set[int] = set()
    for number, line in enumerate(lines, start=1):
        reasons, values = _line_errors(line.row or number, line, engaged, seen, month)
        errors += reasons
        rows.append({"line": line, **values})
    if errors:
        raise ValidationError({"lines": errors})
    days = attended_days(project_id=project.pk, month=month, person_ids=list(engaged))
    try:
        with transaction.atomic():
            sheet = WageSheet.objects.create(
                project=project, employer=employer, team=team, month=month, prepared_by=user, prepared_at=timezone.now()
            )
            WageLine.objects.bulk_create(
                WageLine(
                    sheet=sheet,
                    engagement=row["engagement"],
                    person=row["person"],
                    attended_days=days.get(row["person"].pk, 0),
                    due=row["due"],
                    paid=row["paid"],
                    paid_on=row["line"].paid_on,
                    card_encrypted=pii.encrypt_as(row["card"], pii.BANK_ACCOUNT),
                    card_masked=pii.mask_bank_account(row["card"]),
                    through_special_account=row["line"].through_special_account,
                )
                for row in rows
            )
    except IntegrityError:
        raise Conflict(
            "month", _("This employer's wage sheet for %(month)s exists already.") % {"month": f"{month:%Y-%m}"}
        ) from None
    return sheet


def wage_sheet_confirm(*, user: User, sheet: WageSheet) -> WageSheet:
    """总包确认: the general contractor confirms a prepared sheet, once (a conditional update: two clicks or
    two contractors' accounts at once confirm it once)."""
    scope_of(user).authorize(sheet, "confirm")
    done = WageSheet.objects.filter(pk=sheet.pk, state=SheetState.PREPARED).update(
        state=SheetState.CONFIRMED, confirmed_by=user, confirmed_at=timezone.now()
    )
    if not done:
        raise Conflict("state", _("This wage sheet was confirmed already."))
    sheet.refresh_from_db()
    return sheet


# --- The bank's payment results ---------------------------------------------------------------------


@dataclass(frozen=True)
class BankRow:
    """One row of the bank's payment-result file (银行代发结果): the card, the holder, the amount, the outcome."""

    row: int
    card: str
    name: str
    amount: object
    succeeded: bool
    paid_on: dt.date | None


def wage_bank_results_record(*, user: User, sheet: WageSheet, rows: Sequence[BankRow]) -> int:
    """Matches the bank's rows to the sheet's lines by card and holder, so that "paid" is what the bank says.
    Every row is checked first (a card on no line, another holder's name, a line twice, a bad amount or
    date); the reasons name the row, nothing is recorded. Returns the number of lines recorded."""
    scope_of(user).authorize(sheet, "record_bank_results")
    if not rows:
        raise ValidationError({"file": [_("The file has no rows.")]})
    lines = {line.reveal_card(): line for line in sheet.lines.select_related("person")}
    errors: list[str] = []
    matched: dict[int, tuple[WageLine, BankRow, Decimal]] = {}
    for bank_row in rows:
        reasons: list[str] = []
        line = lines.get(re.sub(r"\s", "", bank_row.card))
        if line is None:
            reasons.append(
                _("No line of this sheet is paid to card %(card)s.") % {"card": pii.mask_bank_account(bank_row.card)}
            )
        elif bank_row.name.strip() != line.person.name:
            reasons.append(_("The card's holder is %(name)s in the sheet.") % {"name": line.person.name})
        elif line.pk in matched:
            reasons.append(_("%(name)s has a row already.") % {"name": line.person.name})
        try:
            amount = _amount(bank_row.amount)
        except ValueError as error:
            reasons.append(str(error))
            amount = Decimal(0)
        if bank_row.paid_on is None and bank_row.succeeded:
            reasons.append(_("A paid row has its pay date."))
        elif bank_row.paid_on is not None and (
            bank_row.paid_on > timezone.localdate() or bank_row.paid_on < sheet.month
        ):
            reasons.append(
                _("The pay date %(date)s is outside the month's wages and today.") % {"date": bank_row.paid_on}
            )
        if reasons:
            errors += [_("line %(n)d: %(reason)s") % {"n": bank_row.row, "reason": r} for r in reasons]
        elif line is not None:
            matched[line.pk] = (line, bank_row, amount)
    if errors:
        raise ValidationError({"file": errors})
    now = timezone.now()
    updated = []
    for line, bank_row, amount in matched.values():
        line.bank_status = BankStatus.PAID if bank_row.succeeded else BankStatus.FAILED
        line.bank_amount = amount if bank_row.succeeded else Decimal(0)
        line.bank_paid_on = bank_row.paid_on if bank_row.succeeded else None
        line.bank_result_at = now
        updated.append(line)
    with transaction.atomic():
        WageLine.objects.bulk_update(updated, ["bank_status", "bank_amount", "bank_paid_on", "bank_result_at"])
        signals.bank_results_recorded.send(sender=WageSheet, sheet=sheet)
    return len(updated)


# --- Labour contracts -------------------------------------------------------------------------------


def labour_contract_record(
    *,
    user: User,
    engagement: Engagement,
    code: str,
    signed_on: dt.date,
    period: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    pay_unit: str,
    unit_price: object,
    scan: bytes | None = None,
    scan_name: str = "",
) -> LabourContract:
    """劳动合同: recorded by whoever registers the engagement's staff (the project's general contractor, or the
    employer for its own); the scan is checked by its bytes and stored encrypted like every upload."""
    scope = scope_of(user)
    scope.authorize(engagement, "view")
    if not scope.may_register_staff(engagement.project, engagement.employer):
        raise PermissionDenied(_("You may record contracts only of your own enterprise's staff."))
    errors: dict[str, list[str]] = {}
    if not (code or "").strip():
        errors["code"] = [_("Give the contract's number.")]
    if period not in ContractPeriod.values:
        errors["period"] = [_("The period is fixed_term or task.")]
    elif period == ContractPeriod.FIXED_TERM and (ends_on is None or ends_on < starts_on):
        errors["ends_on"] = [_("A fixed-term contract ends on or after its start.")]
    elif period == ContractPeriod.TASK and ends_on is not None:
        errors["ends_on"] = [_("A contract until a task is done has no end date.")]
    if pay_unit not in PayUnit.values:
        errors["pay_unit"] = [_("The pay unit is day, month or piece.")]
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("The date %(date)s is in the future.") % {"date": signed_on.isoformat()}]
    try:
        price = _amount(unit_price)
        if price == 0:
            raise ValueError(_("A unit price is more than zero."))
    except ValueError as error:
        errors["unit_price"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    contract = LabourContract(
        engagement=engagement,
        code=code.strip(),
        signed_on=signed_on,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        pay_unit=pay_unit,
        unit_price=price,
        recorded_by=user,
        original_name=(scan_name or "")[:200],
    )
    if LabourContract.objects.filter(engagement=engagement, code=contract.code).exists():
        raise Conflict("code", _("This engagement has a contract with this number already."))
    with transaction.atomic():
        if scan:
            file_store(contract, content=scan)
        else:
            contract.save()
        if engagement.contract_signed_on is None:
            Engagement.objects.filter(pk=engagement.pk, contract_signed_on__isnull=True).update(
                contract_signed_on=signed_on
            )
        signals.contract_recorded.send(sender=LabourContract, contract=contract)
    return contract


# --- Exit settlement --------------------------------------------------------------------------------


def exit_settlement_record(
    *,
    user: User,
    engagement: Engagement,
    workload: str,
    amount: object,
    settled_on: dt.date,
    worker_confirmed: bool,
    scan: bytes | None = None,
    scan_name: str = "",
) -> ExitSettlement:
    """退场结算 (中山 2019 上线通知 三(五)): the workload confirmed, the wages settled and the signed exit confirmation,
    recorded once per engagement by whoever registers its staff, before or after the exit is recorded."""
    scope = scope_of(user)
    scope.authorize(engagement, "view")
    if not scope.may_register_staff(engagement.project, engagement.employer):
        raise PermissionDenied(_("You may record settlements only of your own enterprise's staff."))
    errors: dict[str, list[str]] = {}
    if not (workload or "").strip():
        errors["workload"] = [_("Say the workload confirmed (e.g. 22 days of rebar work).")]
    try:
        settled = _amount(amount)
    except ValueError as error:
        errors["amount"] = [str(error)]
    if settled_on > timezone.localdate():
        errors["settled_on"] = [_("The date %(date)s is in the future.") % {"date": settled_on.isoformat()}]
    elif settled_on < engagement.entered_on:
        errors["settled_on"] = [
            _("The settlement is dated before the entry on %(date)s.") % {"date": engagement.entered_on}
        ]
    if errors:
        raise ValidationError(errors)
    settlement = ExitSettlement(
        engagement=engagement,
        workload=workload.strip()[:200],
        amount=settled,
        settled_on=settled_on,
        worker_confirmed=worker_confirmed,
        recorded_by=user,
        original_name=(scan_name or "")[:200],
    )
    try:
        with transaction.atomic():
            if scan:
                file_store(settlement, content=scan)
            else:
                settlement.save()
    except IntegrityError:
        raise Conflict("engagement", _("This engagement's settlement is recorded already.")) from None
    return settlement


def exit_settlement_validate(*, engagement: Engagement) -> None:
    """An exit's check (settings.SMZ_EXIT_VALIDATORS): under a policy that asks for it, a worker leaves only with
    his settlement recorded; otherwise he leaves and W6 flags the exit."""
    policy = policies_in_force().for_project(engagement.project)
    if policy.exit_requires_settlement and not ExitSettlement.objects.filter(engagement=engagement).exists():
        raise ValidationError(
            {"settlement": [_("Record the wage settlement (退场结算) before the exit: the policy asks for it.")]}
        )


def wage_line_card_reveal(*, user: User, line: WageLine, request: HttpRequest | None = None) -> str:
    """A worker's full bank card number: the same permission and audit as a full ID number (the one answer,
    Scope.may_reveal_id_numbers), within what the account reads."""
    scope = scope_of(user)
    if not scope.may_reveal_id_numbers():
        raise PermissionDenied(_("You do not hold the permission to see full ID numbers."))
    scope.authorize(line, "view")
    number = line.reveal_card()
    audit_event_record(
        user=user,
        action=AuditAction.VIEW_UNMASKED,
        what=f"查看工资支付明细{line.pk}的完整银行卡号",
        record_count=1,
        request=request,
        project_permit_no=line.sheet.project.permit_no,
    )
    return number


# --- Retention ---------------------------------------------------------------------------------------


def wage_records_purge(*, today: dt.date, operator: str) -> list[ExpiredRecords]:
    """Removes the wage records of the projects past their retention (wage_records_expired): sheets and
    lines, labour contracts and exit settlements with their signed scans, deposits, the special account.
    One transaction per project, one audit event each naming the operator; a stored scan is removed only
    once no record left refers to it (files are stored under their digest, so two records may share one)."""
    expired = wage_records_expired(today=today)
    for found in expired:
        with transaction.atomic():
            contracts = LabourContract.objects.filter(engagement__project_id=found.project_id)
            settlements = ExitSettlement.objects.filter(engagement__project_id=found.project_id)
            files = {name for name in contracts.values_list("file", flat=True) if name}
            files |= {name for name in settlements.values_list("file", flat=True) if name}
            WageSheet.objects.filter(project_id=found.project_id).delete()
            contracts.delete()
            settlements.delete()
            LabourCostDeposit.objects.filter(project_id=found.project_id).delete()
            WageAccount.objects.filter(project_id=found.project_id).delete()
            audit_event_record(
                user=None,
                username=operator,
                action=AuditAction.PURGE,
                what=_("Wage records past their retention (kept until %(day)s) removed")
                % {"day": found.kept_until.isoformat()},
                record_count=sum(found.counts.values()),
                project_permit_no=found.permit_no,
            )
            transaction.on_commit(partial(_files_forget, files))
    return expired


def _files_forget(names: set[str]) -> None:
    kept = set(LabourContract.objects.filter(file__in=names).values_list("file", flat=True))
    kept |= set(ExitSettlement.objects.filter(file__in=names).values_list("file", flat=True))
    for name in names - kept:
        default_storage.delete(name)
