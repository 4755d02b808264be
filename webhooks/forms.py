from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks.events import EVENTS


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("Where Kamai sends events, starting with https://"),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"), choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )
