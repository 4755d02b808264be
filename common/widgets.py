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
        choices = [choice for choice in self.choices]  # not list(): that asks a queryset for a COUNT first
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


class PlainCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes with the markup of forms.CheckboxSelectMultiple, written without per-option templates."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [choice for choice in self.choices]  # not list(): that asks a queryset for a COUNT first
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", None)
        selected = set(self.format_value(value))
        css = f' class="{escape(attrs["class"])}"' if attrs.get("class") else ""
        parts = [f"<div{flatatt({'id': base_id}) if base_id else ''}{css}>"]
        for index, (option_value, label) in enumerate(choices):
            option = "" if option_value is None else str(option_value)
            input_attrs = {**attrs, "id": self.id_for_label(base_id, index)} if base_id else attrs
            mark = " checked" if option in selected else ""
            label_for = f' for="{escape(input_attrs["id"])}"' if base_id else ""
            parts.append(
                f'<div><label{label_for}><input type="checkbox" name="{escape(name)}" value="{escape(option)}"'
                f"{flatatt(input_attrs)}{mark}> {escape(label)}</label></div>"
            )
        parts.append("</div>")
        return mark_safe("".join(parts))
