from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.countries import country_choices
from accounts.images import check_image, check_photo
from accounts.models import Availability, City, ClientProfile, FreelancerProfile, Hat, Language, Skill
from accounts.services import user_switch_hat
from common.ids import parse_id
from ledger.money import CURRENCY_CHOICES, MoneyError, parse_amount


class SkillsField(forms.ModelMultipleChoiceField):
    """Skills as checkboxes, named in the page's language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Skill.objects.all())
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return obj.localized_name(get_language() or "en")

    def _check_values(self, value):
        # An id no skill can have is refused before it reaches the database (SQLite overflows on huge ints).
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class SignupHatForm(forms.Form):
    """Extra field on allauth's sign-up form: which hat to start with (both can be worn later)."""

    hat = forms.ChoiceField(
        label=_("I want to"),
        choices=[(Hat.FREELANCER, _("Find work as a freelancer")), (Hat.CLIENT, _("Hire freelancers"))],
        widget=forms.RadioSelect,
        initial=Hat.FREELANCER,
    )

    def signup(self, request, user):
        user_switch_hat(user=user, hat=self.cleaned_data["hat"])


class FreelancerProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80)
    slug = forms.SlugField(
        label=_("Profile address"), max_length=60, help_text=_("Your public page will be at /f/<address>/")
    )
    headline = forms.CharField(label=_("Headline"), max_length=140, required=False)
    bio = forms.CharField(
        label=_("About you"), widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=5000
    )
    city = forms.ChoiceField(label=_("City"), choices=[("", "—")] + City.choices, required=False)
    skills = SkillsField(label=_("Skills"), required=False)
    hourly_rate = forms.CharField(label=_("Hourly rate"), required=False, max_length=20)
    rate_currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    pseb_registration_number = forms.CharField(label=_("PSEB registration number"), max_length=40, required=False)
    pseb_expires_on = forms.DateField(
        label=_("PSEB registration expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ntn = forms.RegexField(
        label=_("NTN (private, never shown)"),
        regex=r"^[0-9A-Za-z-]{7,20}$",
        required=False,
        error_messages={"invalid": _("Enter your NTN as digits, e.g. 1234567-8.")},
    )

    def __init__(self, *args, profile: FreelancerProfile, **kwargs):
        self.profile = profile
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if FreelancerProfile.objects.exclude(pk=self.profile.pk).filter(slug=slug).exists():
            raise ValidationError(_("That address is taken; try another."))
        return slug

    def clean(self):
        data = super().clean()
        raw = data.get("hourly_rate", "")
        currency = data.get("rate_currency", "USD")
        if raw:
            try:
                rate = parse_amount(raw, currency)
            except MoneyError as error:
                self.add_error("hourly_rate", str(error))
            else:
                if rate < 0:
                    self.add_error("hourly_rate", _("The rate cannot be negative."))
                data["hourly_rate"] = rate
        else:
            data["hourly_rate"] = None
        if data.get("pseb_expires_on") and not data.get("pseb_registration_number"):
            self.add_error("pseb_registration_number", _("Enter the registration number for this expiry date."))
        return data


class ClientProfileForm(forms.ModelForm):
    class Meta:
        model = ClientProfile
        fields = ["name", "country", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"), choices=[("", "—")] + country_choices(get_language() or "en"), required=False
        )
        self.fields["time_zone"].widget.attrs.update({"list": "time-zones", "autocomplete": "off"})
        self.fields["time_zone"].help_text = _("For example America/New_York or Europe/London.")


class PortfolioItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=3000
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            check_image(upload)
        return upload


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"), widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = _(
            "A JPEG, PNG or WebP image up to %(limit)s MB; we crop it square and remove its metadata."
        ) % {"limit": settings.KAMAI_MAX_IMAGE_BYTES // 1024 // 1024}

    def clean_photo(self):
        upload = self.cleaned_data["photo"]
        check_photo(upload)
        return upload


class HatForm(forms.Form):
    hat = forms.ChoiceField(choices=Hat.choices)
