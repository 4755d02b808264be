from django import forms
from django.utils.translation import gettext_lazy as _

from tax.models import ServiceKind


class TaxProfileForm(forms.Form):
    service_kind = forms.ChoiceField(label=_("What you export"), choices=ServiceKind.choices)
    atl_since = forms.DateField(
        label=_("On the Active Taxpayer List since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    atl_until = forms.DateField(
        label=_("Off the list from (leave empty if still on it)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    pseb_registered_on = forms.DateField(
        label=_("PSEB registration date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
