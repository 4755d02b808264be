from django import forms

from common.widgets import PlainCheckboxSelectMultiple, PlainSelect

CHOICES = [("", "Any"), ("PK", "Pakistan"), ("GB", "United Kingdom & <Northern Ireland>")]


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False, widget=PlainSelect)
    stock = forms.ChoiceField(choices=CHOICES, required=False)
    plain_boxes = forms.MultipleChoiceField(choices=CHOICES[1:], required=False, widget=PlainCheckboxSelectMultiple)
    stock_boxes = forms.MultipleChoiceField(choices=CHOICES[1:], required=False, widget=forms.CheckboxSelectMultiple)


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


def test_plain_checkboxes_write_the_same_markup_as_djangos():
    for data in (
        None,
        {"plain_boxes": ["PK"], "stock_boxes": ["PK"]},
        {"plain_boxes": ["PK", "GB"], "stock_boxes": ["PK", "GB"]},
    ):
        form = _Form(data)
        plain = str(form["plain_boxes"]).replace("plain_boxes", "X")
        stock = str(form["stock_boxes"]).replace("stock_boxes", "X")
        assert "".join(plain.split()) == "".join(stock.split())
