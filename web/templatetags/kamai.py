from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.countries import country_name
from contracts.terms import percent
from ledger.money import format_money, from_minor

register = template.Library()


@register.simple_tag
def money(amount, currency):
    """{% money amount "USD" %}: the amount formatted for the page's language."""
    if amount is None:
        return ""
    return format_money(amount, currency, get_language() or "en")


@register.simple_tag
def skill_name(skill):
    return skill.localized_name(get_language() or "en")


@register.filter
def country(code):

    return country_name(code, get_language() or "en") if code else ""


@register.simple_tag
def money_minor(minor, currency):
    """{% money_minor 12345 "USD" %}: an amount stored in minor units, formatted for the page's language."""
    if minor is None:
        return ""

    return format_money(from_minor(minor, currency), currency, get_language() or "en")


@register.filter
def bp_percent(basis_points):
    """{{ contract.platform_fee_bp|bp_percent }}: 500 -> 5, 125 -> 1.25 (exact, no rounding)."""

    return percent(basis_points or 0)


@register.filter
def grouped(amount):
    """{{ invoice.total|grouped }}: 1310.85 -> 1,310.85 (a plain number with thousands separators, for documents
    whose currency is stated beside it)."""
    if amount is None:
        return ""
    return f"{amount:,}"


@register.simple_tag
def avatar(profile, size: int = 48):
    """A freelancer's or client's photo at `size` CSS pixels (48 in lists, 160 on a profile), lazy-loaded with
    its width and height so nothing jumps; without a photo, their initials in a CSS circle (no image at all)."""
    name = getattr(profile, "display_name", None) or getattr(profile, "name", "")
    image = profile.photo_small if size <= 48 else profile.photo
    css = "avatar" if size <= 48 else "avatar large"
    if image:
        return format_html(
            '<img class="{}" src="{}" width="{}" height="{}" alt="{}" loading="lazy" decoding="async">',
            css,
            image.url,
            size,
            size,
            _("Photo of %(name)s") % {"name": name},
        )
    return format_html('<span class="{} initials" aria-hidden="true">{}</span>', css, profile.initials)
