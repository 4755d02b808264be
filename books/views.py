"""Thin views: parse input, call one service or selector, render. Another freelancer's objects are 404s."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from books import categories, charts, imports, reconciliation, selectors, services, tasks, tax_notes
from books import category_rules as rules
from books.errors import BooksError
from books.forms import (
    BudgetForm,
    CategoryRuleForm,
    ExpenseForm,
    ImportForm,
    IncomeForm,
    MappingForm,
    PrcForm,
    RecategoriseForm,
    RecurringForm,
    RemittanceForm,
)
from books.models import (
    Budget,
    CategoryRule,
    Entry,
    EntryKind,
    ExpenseCategory,
    ImportStatus,
    MappingPreset,
    RecurringItem,
    Remittance,
    StatementImport,
)
from common import fragments
from common.files import private_file_response
from common.fiscal import fiscal_year
from common.pagination import CountedPaginator
from ledger.money import from_minor

PAGE_SIZE = 50


def _month_label(month: date) -> str:
    return charts.date_label(month, "MMM")


@login_required
def books_home(request):
    return fragments.render_with_part(
        request, "books/home.html", "books/_home_content.html", lambda: _books_home_context(request), per_user=True
    )


def _books_home_context(request) -> dict:
    today = timezone.localdate()
    fy = fiscal_year(today)
    kind = request.GET.get("kind", "")
    if kind not in EntryKind.values:
        kind = ""
    months = selectors.month_starts(date(today.year - 1, today.month, 1), 13)[1:]
    income = selectors.monthly_income_by_currency(user=request.user, months=months)
    by_client = selectors.income_by(user=request.user, start=fy.starts, end=fy.ends, field_name="client")[:8]
    by_category = selectors.expenses_by_category(user=request.user, start=fy.starts, end=fy.ends)
    page = CountedPaginator(
        selectors.entries(user=request.user, kind=kind),
        PAGE_SIZE,
        count=selectors.entry_count(user=request.user, kind=kind),
    ).get_page(request.GET.get("page"))
    rule_of = tax_notes.income_rule_for(request.user)
    rows = [(entry, rule_of(entry) if entry.kind == EntryKind.INCOME else None) for entry in page]
    return {
        "fy": fy,
        "totals": selectors.totals(user=request.user, start=fy.starts, end=fy.ends),
        "page": page,
        "rows": rows,
        "kind": kind,
        "income_chart": charts.bar_chart(
            title=_("Monthly income in PKR by currency"), labels=[_month_label(m) for m in months], series=income
        ),
        "client_chart": charts.bar_chart(
            title=_("Income by client this fiscal year"),
            labels=[str(row["key"])[:10] for row in by_client],
            series={_("PKR"): [row["pkr_minor"] for row in by_client]},
        ),
        "category_chart": charts.bar_chart(
            title=_("Expenses by category this fiscal year"),
            labels=[str(row["label"])[:10] for row in by_category],
            series={_("PKR"): [row["pkr_minor"] for row in by_category]},
        ),
        "by_client": by_client,
        "by_category": by_category,
    }


def _keyed_post(request, form_class, record, success: str, template: str, title: str):
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record(form.cleaned_data)
        except BooksError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect("books:books_home")
    return render(request, template, {"form": form, "title": title}, status=400 if form.errors else 200)


@login_required
def expense_add(request):
    def record(data):
        services.expense_record(
            user=request.user,
            occurred_on=data["occurred_on"],
            amount=data["amount"],
            currency=data["currency"],
            category=data["category"],
            note=data["note"],
            place=data["place"],
            receipt=data.get("receipt"),
            idempotency_key=data["key"],
        )

    return _keyed_post(request, ExpenseForm, record, _("Expense recorded."), "books/form.html", _("Add an expense"))


@login_required
def income_add(request):
    def record(data):
        services.income_record(
            user=request.user,
            occurred_on=data["occurred_on"],
            amount=data["amount"],
            currency=data["currency"],
            client=data["client"],
            place=data["place"],
            tax_withheld=data["tax_withheld"],
            note=data["note"],
            idempotency_key=data["key"],
        )

    return _keyed_post(request, IncomeForm, record, _("Income recorded."), "books/form.html", _("Add income"))


@login_required
def entry_detail(request, pk: int):
    entry = get_object_or_404(Entry, pk=pk, user=request.user)
    rule = tax_notes.income_rule_for(request.user)(entry) if entry.kind == EntryKind.INCOME else None
    reversal = entry.reversals.first()
    return render(
        request,
        "books/entry_detail.html",
        {
            "entry": entry,
            "rule": rule,
            "reversal": reversal,
            "removable": reversal is None and selectors.removable(entry),
            "key": uuid.uuid4().hex,
            "recategorisable": reversal is None and rules.recategorisable(entry),
            "categories": ExpenseCategory.choices,
            "learn_pattern": categories.learned_pattern(entry.description),
        },
    )


@login_required
@require_POST
def entry_recategorise(request, pk: int):
    entry = get_object_or_404(Entry, pk=pk, user=request.user)
    form = RecategoriseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category."))
        return redirect("books:entry_detail", pk=entry.pk)
    data = form.cleaned_data
    try:
        entry, rule = rules.entry_recategorise(
            user=request.user, entry=entry, category=data["category"], learn=data["learn"],
            idempotency_key=data["idempotency_key"],
        )  # fmt: skip
    except BooksError as error:
        messages.error(request, str(error))
        return redirect("books:entry_detail", pk=entry.pk)
    messages.success(request, _("Moved to %(category)s.") % {"category": entry.get_category_display()})
    if rule is not None:
        messages.success(
            request, _("Future imports matching '%(pattern)s' go to this category too.") % {"pattern": rule.pattern}
        )
    return redirect("books:entry_detail", pk=entry.pk)


@login_required
@require_POST
def entry_remove(request, pk: int):
    entry = get_object_or_404(Entry, pk=pk, user=request.user)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the entry is to be removed."))
        return redirect("books:entry_detail", pk=entry.pk)
    try:
        reversal = services.entry_reverse(
            user=request.user, entry=entry, idempotency_key=request.POST.get("idempotency_key", "")[:64] or "once"
        )
    except BooksError as error:
        messages.error(request, str(error))
        return redirect("books:entry_detail", pk=entry.pk)
    messages.success(request, _("Removed: a reversing entry dated today takes it out of every total."))
    return redirect("books:entry_detail", pk=reversal.pk)


@login_required
def entry_receipt(request, pk: int):
    entry = get_object_or_404(Entry, pk=pk, user=request.user)
    return private_file_response(
        entry.receipt, filename=f"receipt-{entry.pk}", content_type=entry.receipt_content_type, inline=True
    )


# --- Remittances -------------------------------------------------------------------------------------------


@login_required
def remittance_list(request):
    items = tax_notes.with_retention(list(selectors.remittances(user=request.user)[:200]))
    return render(request, "books/remittances.html", {"remittances": items})


@login_required
def remittance_add(request):
    def record(data):
        services.remittance_record(
            user=request.user,
            received_on=data["received_on"],
            currency=data["currency"],
            amount=data["amount"],
            pkr_net=data["pkr_net"],
            tax_withheld=data["tax_withheld"],
            from_place=data["from_place"],
            client=data["client"],
            bank=data["bank"],
            prc_number=data["prc_number"],
            purpose_code=data["purpose_code"],
            idempotency_key=data["key"],
        )

    return _keyed_post(
        request, RemittanceForm, record, _("Remittance recorded."), "books/form.html", _("Record a remittance")
    )


@login_required
def remittance_prc(request, pk: int):
    remittance = get_object_or_404(Remittance, pk=pk, user=request.user)
    form = PrcForm(
        request.POST or None, initial={"prc_number": remittance.prc_number, "purpose_code": remittance.purpose_code}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.remittance_set_prc(remittance=remittance, **form.cleaned_data)
        except BooksError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("PRC saved."))
            return redirect("books:remittance_list")
    return render(request, "books/form.html", {"form": form, "title": _("PRC and purpose code"), "object": remittance})


# --- Imports -------------------------------------------------------------------------------------------------


@login_required
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imp = imports.statement_import_create(
                user=request.user, source_format=form.cleaned_data["source_format"], upload=form.cleaned_data["file"]
            )
        except BooksError as error:
            form.add_error("file", str(error))
        else:
            if imp.status == ImportStatus.MAPPING:
                return redirect("books:import_mapping", pk=imp.pk)
            return redirect("books:import_detail", pk=imp.pk)
    recent = StatementImport.objects.filter(user=request.user)[:20]
    return render(request, "books/imports.html", {"form": form, "imports": recent}, status=400 if form.errors else 200)


@login_required
def import_detail(request, pk: int):
    imp = get_object_or_404(StatementImport, pk=pk, user=request.user)
    stalled = selectors.statement_import_stalled(imp)
    running = imp.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) and not stalled
    return render(request, "books/import_detail.html", {"imp": imp, "running": running, "stalled": stalled})


@login_required
@require_POST
def import_resume(request, pk: int):
    """Try a stopped background import again; rows already in the book are skipped."""
    imp = get_object_or_404(StatementImport, pk=pk, user=request.user)
    if selectors.statement_import_stalled(imp):
        tasks.statement_import_resume(statement_import=imp)
        messages.success(request, _("The import started again. Rows already in your books are skipped."))
    return redirect("books:import_detail", pk=imp.pk)


@login_required
def import_mapping(request, pk: int):
    imp = get_object_or_404(StatementImport, pk=pk, user=request.user)
    columns = imp.mapping.get("columns", [])
    presets = list(MappingPreset.objects.filter(user=request.user)[:50])
    chosen = next((p for p in presets if str(p.pk) == request.GET.get("preset")), None)
    if chosen is None:
        chosen = imports.matching_preset(user=request.user, columns=columns)
    initial = {**chosen.mapping, "save_as": chosen.name} if chosen else {}
    form = MappingForm(request.POST or None, columns=columns, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        place, save_as = data.pop("place"), data.pop("save_as")
        try:
            imports.statement_import_set_mapping(statement_import=imp, mapping=data, place=place, save_as=save_as)
        except BooksError as error:
            form.add_error(None, str(error))
        else:
            return redirect("books:import_detail", pk=imp.pk)
    return render(
        request, "books/import_mapping.html", {"imp": imp, "form": form, "presets": presets, "chosen": chosen},
        status=400 if form.errors else 200,
    )  # fmt: skip


# --- Reconciliation ------------------------------------------------------------------------------------------


@login_required
def reconcile(request):
    proposals = reconciliation.match_proposals(user=request.user)
    return render(request, "books/reconcile.html", {"proposals": proposals})


@login_required
@require_POST
def reconcile_decide(request):
    """Confirm or reject one proposed match; another freelancer's entries are 404s."""
    bank_entry = get_object_or_404(Entry, pk=_int(request.POST.get("bank_entry")), user=request.user)
    kind = request.POST.get("kind")
    other = _int(request.POST.get("other"))
    sides = {}
    if kind == "provider":
        sides["withdrawal_entry"] = get_object_or_404(Entry, pk=other, user=request.user)
    elif kind == "kamai":
        sides["kamai_remittance"] = get_object_or_404(Remittance, pk=other, user=request.user)
    else:
        raise Http404
    decision = request.POST.get("decision")
    try:
        if decision == "confirm":
            reconciliation.bank_match_confirm(user=request.user, bank_entry=bank_entry, **sides)
            messages.success(request, _("Matched: one transfer between your own accounts, counted once."))
        elif decision == "reject":
            reconciliation.bank_match_reject(user=request.user, bank_entry=bank_entry, **sides)
            messages.success(request, _("Not a match: it will not be proposed again."))
        else:
            messages.error(request, _("Choose confirm or reject."))
    except BooksError as error:
        messages.error(request, str(error))
    return redirect("books:reconcile")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- Category rules ---------------------------------------------------------------------------------------


@login_required
def category_rules(request):
    form = CategoryRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = rules.category_rule_add(user=request.user, **form.cleaned_data)
        except BooksError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Rule added: '%(pattern)s' goes to %(category)s.")
                             % {"pattern": rule.pattern, "category": rule.get_category_display()})  # fmt: skip
            return redirect("books:category_rules")
    labels = dict(ExpenseCategory.choices)
    return render(
        request,
        "books/category_rules.html",
        {
            "form": form,
            "rules": CategoryRule.objects.filter(user=request.user),
            "built_in": [(pattern, labels[category]) for pattern, category in categories.BUILT_IN_RULES],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def category_rule_delete(request, pk: int):
    rule = get_object_or_404(CategoryRule, pk=pk, user=request.user)
    rules.category_rule_delete(rule=rule)
    messages.success(request, _("Rule deleted: '%(pattern)s'.") % {"pattern": rule.pattern})
    return redirect("books:category_rules")


# --- Budget and forecast ------------------------------------------------------------------------------------


@login_required
def budget(request):
    today = timezone.localdate()
    month = today.replace(day=1)
    existing = {b.category: b.monthly_pkr for b in Budget.objects.filter(user=request.user)}
    form = BudgetForm(request.POST or None, budgets=existing)
    if request.method == "POST" and form.is_valid():
        services.budgets_set(user=request.user, amounts=form.cleaned_data)
        messages.success(request, _("Budget saved."))
        return redirect("books:budget")
    lines = selectors.budget_actuals(user=request.user, month=month)
    chart = charts.bar_chart(
        title=_("Budget and spending this month"),
        labels=[str(line["label"])[:9] for line in lines],
        series={
            _("Budget"): [line["budget_minor"] for line in lines],
            _("Spent"): [line["actual_minor"] for line in lines],
        },
    )
    return render(
        request, "books/budget.html", {"form": form, "lines": lines, "month": month, "chart": chart},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
def forecast(request):
    today = timezone.localdate()
    items = selectors.forecast(user=request.user, today=today)
    opening = selectors.pkr_cash_minor(user=request.user)
    weeks = selectors.forecast_weeks(items, today=today, opening_minor=opening)
    chart = charts.line_chart(
        title=_("PKR balance over the next 90 days"),
        labels=[charts.date_label(w["start"], "d MMM") for w in weeks],
        values=[w["balance"] for w in weeks],
    )
    for week in weeks:
        week["in_pkr"], week["out_pkr"] = from_minor(week["in"], "PKR"), from_minor(week["out"], "PKR")
        week["balance_pkr"] = from_minor(week["balance"], "PKR")
    return render(
        request,
        "books/forecast.html",
        {
            "items": items,
            "weeks": weeks,
            "chart": chart,
            "opening": from_minor(opening, "PKR"),
            "recurring": RecurringItem.objects.filter(user=request.user),
            "form": RecurringForm(),
        },
    )


@login_required
@require_POST
def recurring_add(request):
    form = RecurringForm(request.POST)
    if form.is_valid():
        try:
            services.recurring_add(user=request.user, **form.cleaned_data)
        except BooksError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Recurring item added."))
    else:
        messages.error(request, _("Check the recurring item: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("books:forecast")
