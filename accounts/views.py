from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import ClientProfileForm, FreelancerProfileForm, HatForm, PhotoForm, PortfolioItemForm
from accounts.models import COMMON_TIME_ZONES, ClientProfile, FreelancerProfile, PortfolioItem


@login_required
def freelancer_profile_edit(request):
    if request.method == "POST":
        profile = services.freelancer_profile_ensure(user=request.user)
    else:
        profile = selectors.freelancer_profile_or_default(user=request.user)
    form = FreelancerProfileForm(request.POST or None, initial=_freelancer_initial(profile), profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.freelancer_profile_update(profile=profile, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:freelancer_profile_edit")
    return _freelancer_edit_page(request, profile, form, PhotoForm())


def _freelancer_initial(profile: FreelancerProfile) -> dict:
    return {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "headline": profile.headline,
        "bio": profile.bio,
        "city": profile.city,
        "skills": profile.skills.all() if profile.pk else [],
        "hourly_rate": profile.hourly_rate if profile.hourly_rate is not None else "",
        "rate_currency": profile.rate_currency,
        "languages": profile.languages,
        "availability": profile.availability,
        "pseb_registration_number": profile.pseb_registration_number,
        "pseb_expires_on": profile.pseb_expires_on,
        "ntn": profile.ntn,
    }


def _freelancer_edit_page(request, profile, form, photo_form):
    return render(
        request,
        "accounts/freelancer_profile_edit.html",
        {
            "form": form,
            "photo_form": photo_form,
            "profile": profile,
            "portfolio": profile.portfolio_items.all() if profile.pk else [],
        },
    )


@login_required
def client_profile_edit(request):
    if request.method == "POST":
        profile = services.client_profile_ensure(user=request.user)
    else:
        profile = selectors.client_profile_or_default(user=request.user)
    form = ClientProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.client_profile_update(profile=profile, **form.cleaned_data)
        messages.success(request, _("Your client profile is saved."))
        return redirect("accounts:client_profile_edit")
    return _client_edit_page(request, profile, form, PhotoForm())


def _client_edit_page(request, profile, form, photo_form):
    return render(
        request,
        "accounts/client_profile_edit.html",
        {"form": form, "photo_form": photo_form, "profile": profile, "time_zones": COMMON_TIME_ZONES},
    )


# The photo forms act only on the signed-in user's own profile: no id in the URL, nothing to guess.
@login_required
@require_POST
def profile_photo_upload(request, whose: str):
    if whose == "client":
        profile = services.client_profile_ensure(user=request.user)
    else:
        profile = services.freelancer_profile_ensure(user=request.user)
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            services.profile_photo_set(profile=profile, upload=photo_form.cleaned_data["photo"])
        except ValidationError as error:
            photo_form.add_error("photo", error)
        else:
            messages.success(request, _("Your photo is saved."))
            return redirect(f"accounts:{whose}_profile_edit")
    if whose == "client":
        return _client_edit_page(request, profile, ClientProfileForm(instance=profile), photo_form)
    form = FreelancerProfileForm(initial=_freelancer_initial(profile), profile=profile)
    return _freelancer_edit_page(request, profile, form, photo_form)


@login_required
@require_POST
def profile_photo_remove(request, whose: str):
    model = ClientProfile if whose == "client" else FreelancerProfile
    profile = model.objects.filter(user=request.user).first()
    if profile is not None and profile.photo:
        services.profile_photo_remove(profile=profile)
        messages.success(request, _("Your photo is removed."))
    return redirect(f"accounts:{whose}_profile_edit")


def _own_item(request, pk) -> PortfolioItem:
    # Another user's item is a 404: we do not even confirm that it exists.
    return get_object_or_404(PortfolioItem, pk=pk, profile__user=request.user)


@login_required
def portfolio_item_edit(request, pk=None):
    if request.method == "POST":
        profile = services.freelancer_profile_ensure(user=request.user)
    else:
        profile = selectors.freelancer_profile_or_default(user=request.user)
    item = _own_item(request, pk) if pk else None
    initial = {"title": item.title, "description": item.description, "link": item.link} if item else None
    form = PortfolioItemForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.portfolio_item_save(
                profile=profile,
                item=item,
                title=data["title"],
                description=data["description"],
                link=data["link"],
                image=data["image"] or None,
            )
        except ValidationError as error:
            form.add_error("image" if "image" in str(error).lower() else None, error)
        else:
            messages.success(request, _("Portfolio item saved."))
            return redirect("accounts:freelancer_profile_edit")
    return render(request, "accounts/portfolio_item_edit.html", {"form": form, "item": item})


@login_required
@require_POST
def portfolio_item_delete(request, pk):
    services.portfolio_item_delete(item=_own_item(request, pk))
    messages.success(request, _("Portfolio item deleted."))
    return redirect("accounts:freelancer_profile_edit")


@login_required
@require_POST
def switch_hat(request):
    form = HatForm(request.POST)
    if form.is_valid():
        services.user_switch_hat(user=request.user, hat=form.cleaned_data["hat"])
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "web:dashboard"
    return redirect(next_url)
