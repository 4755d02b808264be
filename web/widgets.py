"""Form widgets that render long option lists in one Python loop.

Django renders every <option> through its own widget template; with the 250 countries of the job search's
client-country filter that was about 80% of the page's time. These widgets write the same HTML directly.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A single-choice <select> with the markup of forms.Select, written without per-option templates."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's own way
        selected = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in choices:
            option = "" if option_value is None else str(option_value)
            mark = " selected" if option in selected else ""
            if mark:
                selected = set()  # like forms.Select: only the first match is selected
            parts.append(f'<option value="{escape(option)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))
