from django import forms

from web.widgets import PlainSelect

CHOICES = [("", "Any"), ("PK", "Pakistan"), ("GB", "United Kingdom & <Northern Ireland>")]


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False, widget=PlainSelect)
    stock = forms.ChoiceField(choices=CHOICES, required=False)


def _parts(field):
    """The <select> tag's attributes (in any order) and its options, whitespace aside."""
    html = str(field).replace(f'"id_{field.name}', '"id_X').replace(f'name="{field.name}"', 'name="X"')
    tag, options = html.split(">", 1)
    return sorted(tag.removeprefix("<select").split()), "".join(options.split())


def test_plain_select_writes_the_same_markup_as_djangos_select():
    for data in (None, {"plain": "PK", "stock": "PK"}, {"plain": "XX", "stock": "XX"}):
        form = _Form(data)
        assert _parts(form["plain"]) == _parts(form["stock"])


def test_plain_select_escapes_labels_and_marks_the_chosen_option():
    html = str(_Form({"plain": "GB"})["plain"])
    assert '<option value="GB" selected>United Kingdom &amp; &lt;Northern Ireland&gt;</option>' in html
    assert html.count("selected") == 1
