from datetime import date

from django.shortcuts import render
from django.utils import dateformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.countries import country_name
from accounts.models import City
from books import charts
from insights import selectors
from ledger.money import from_minor


def _count_chart(*, title: str, labels: list[str], counts: list[int], series_name: str) -> str:
    # books.charts labels its axis in hundredths (paisa); counts are scaled so the axis reads whole people.
    return charts.bar_chart(title=title, labels=labels, series={series_name: [count * 100 for count in counts]})


def _skill(row: dict, language: str) -> str:
    return row["name_ur"] if language.startswith("ur") and row.get("name_ur") else row["name"]


def _city(code: str) -> str:
    return City(code).label if code in City.values else code


def _month(label: str) -> str:
    year, month = (int(part) for part in label.split("-"))
    return dateformat.format(date(year, month, 1), "M y")


def _page(data: dict, language: str) -> dict:
    cities = [{"label": _city(row["city"]), "count": row["freelancers"]} for row in data["cities"]["rows"]]
    countries = [
        {"label": country_name(row["country"], language), "count": row["clients"]} for row in data["countries"]["rows"]
    ]
    skills = data["skills"]
    demanded = [{"label": _skill(row, language), "count": row["open_jobs"]} for row in skills["demanded"]]
    offered = [{"label": _skill(row, language), "count": row["freelancers"]} for row in skills["offered"]]
    rates = data["rates"]
    rate_rows = [
        {
            "label": _skill(row, language),
            "median": from_minor(row["median_minor"], rates["currency"]),
            "freelancers": row["freelancers"],
        }
        for row in rates["rows"]
    ]
    escrow = data["escrow"]
    month_labels = [_month(label) for label in escrow["months"]]
    escrow_rows = [
        {
            "month": month_labels[i],
            "cells": [
                {"currency": currency, "amount": None if values[i] is None else from_minor(values[i], currency)}
                for currency, values in escrow["series"].items()
            ],
        }
        for i in range(len(month_labels))
    ]
    escrow_charts = [
        charts.bar_chart(
            title=_("Escrow released per month in %(currency)s") % {"currency": currency},
            labels=month_labels,
            series={currency: [value or 0 for value in values]},
        )
        for currency, values in escrow["series"].items()
    ]
    return {
        "k": data["k"],
        "cities": cities,
        "cities_suppressed": data["cities"]["suppressed"],
        "city_chart": _count_chart(
            title=_("Freelancers by city"),
            labels=[row["label"][:12] for row in cities],
            counts=[row["count"] for row in cities],
            series_name=_("Freelancers"),
        )
        if cities
        else "",
        "pseb": data["pseb"],
        "demanded": demanded,
        "demanded_suppressed": skills["demanded_suppressed"],
        "offered": offered,
        "offered_suppressed": skills["offered_suppressed"],
        "rates": rates,
        "rate_rows": rate_rows,
        "overall_rate": from_minor(rates["overall_median_minor"], rates["currency"])
        if rates["overall_median_minor"] is not None
        else None,
        "countries": countries,
        "countries_suppressed": data["countries"]["suppressed"],
        "country_chart": _count_chart(
            title=_("Clients by country"),
            labels=[row["label"][:12] for row in countries],
            counts=[row["count"] for row in countries],
            series_name=_("Clients"),
        )
        if countries
        else "",
        "escrow_currencies": list(escrow["series"]),
        "escrow_rows": escrow_rows,
        "escrow_suppressed": escrow["suppressed"],
        "escrow_charts": escrow_charts,
        "release": data["release"],
        "invoices": data["invoices"],
    }


def insights(request):
    """Public: the latest nightly snapshot. Before the first night, the figures are computed for this view
    only and not stored (no GET writes)."""
    snapshot = selectors.latest_snapshot() or selectors.unsaved_snapshot()
    context = {"snapshot": snapshot, "k": selectors.K}
    if snapshot is not None:
        context.update(_page(snapshot.data, get_language() or "en"))
    return render(request, "insights/insights.html", context)
