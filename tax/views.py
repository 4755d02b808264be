"""Tax pages: the year's estimate, the status that drives it, the annual statement (HTML and PDF) and the
remittances missing a PRC. Every figure is an estimate, and the pages say so."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from books import charts
from books import selectors as books
from books.models import EntryKind
from common import fragments
from common.pagination import CountedPaginator
from tax import rules, selectors
from tax.forms import TaxProfileForm
from tax.models import TaxProfile
from tax.services import TaxError, tax_profile_update


def _valid_year(label: str) -> str:
    """A fiscal year the tax pages can show: one with rules, or a later one up to next fiscal year, whose
    estimate uses the latest rules carried forward (the page says so). Anything else is a 404."""
    parsed = rules.parse_label(label)
    if parsed is None:
        raise Http404
    next_year = rules.fiscal_year_label(rules.fiscal_year(timezone.localdate()).ends + timedelta(days=1))
    if parsed not in rules.RULES and parsed > max(next_year, rules.known_years()[-1]):
        raise Http404
    try:
        rules.year_basis(parsed)
    except rules.UnknownFiscalYear:
        raise Http404 from None
    return parsed


def _year(request) -> str:
    """The fiscal year asked for, else the current one: never silently another year."""
    label = request.GET.get("year")
    if label:
        return _valid_year(label)
    return rules.fiscal_year_label(timezone.localdate())


def _years() -> list[str]:
    """The years to offer: every year with rules, and the current one if it has none yet."""
    current = rules.fiscal_year_label(timezone.localdate())
    return sorted(set(rules.known_years()) | {current})


@login_required
def tax_home(request):
    label = _year(request)
    return fragments.render_with_part(
        request, "tax/home.html", "tax/_home_content.html", lambda: _tax_home_context(request, label),
        page={"fy": {"label": label}}, per_user=True,
    )  # fmt: skip


def _tax_home_context(request, label: str) -> dict:
    today = timezone.localdate()
    est = selectors.estimate(user=request.user, fy=label, today=today)
    fy = est.fy
    months = fy.months()
    income = books.monthly_income_by_currency(user=request.user, months=months)
    receipts = CountedPaginator(
        books.entries(user=request.user, start=fy.starts, end=fy.ends, kind=EntryKind.INCOME),
        25,
        count=books.entry_count(user=request.user, start=fy.starts, end=fy.ends, kind=EntryKind.INCOME),
    ).get_page(request.GET.get("page"))
    rows = [(entry, selectors.receipt_rule(est.status, entry)) for entry in receipts]
    return {
        "est": est,
        "fy": fy,
        "years": _years(),
        "disclaimer": rules.DISCLAIMER,
        "slabs_source": rules.slabs_source(label),
        "receipts": receipts,
        "rows": rows,
        "chart": charts.bar_chart(
            title=_("Income in PKR by fiscal month"),
            labels=[charts.date_label(m, "MMM") for m in months],
            series=income,
        ),
    }


@login_required
def tax_profile(request):
    profile = TaxProfile.objects.filter(user=request.user).first()
    initial = {}
    if profile:
        initial = {
            "service_kind": profile.service_kind,
            "atl_since": profile.atl_since,
            "atl_until": profile.atl_until,
            "pseb_registered_on": profile.pseb_registered_on,
        }
    form = TaxProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tax_profile_update(user=request.user, **form.cleaned_data)
        except TaxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Tax status saved."))
            return redirect("tax:tax_home")
    freelancer = getattr(request.user, "freelancer_profile", None)
    return render(
        request, "tax/profile.html", {"form": form, "freelancer": freelancer}, status=400 if form.errors else 200
    )


def _statement_context(request, year: str) -> dict:
    year = _valid_year(year)
    context = selectors.statement(user=request.user, fy=year)
    context.update({"disclaimer": rules.DISCLAIMER, "person": request.user, "generated": timezone.localdate()})
    return context


@login_required
def annual_statement(request, year: str):
    return render(request, "tax/statement.html", _statement_context(request, year))


@login_required
def annual_statement_pdf(request, year: str):
    from weasyprint import HTML

    html = render_to_string("tax/statement_print.html", _statement_context(request, year), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kamai-statement-{year}.pdf"'
    return response


@login_required
def prc_missing(request):
    items = selectors.remittances_missing_prc(user=request.user)
    return render(request, "tax/prc_missing.html", {"remittances": items, "it_codes": sorted(rules.IT_PURPOSE_CODES)})
