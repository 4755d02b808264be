"""Chart month labels come from Babel's locale data in the reader's language, and legend entries never share a
row (Urdu names are long and used to overlap)."""

import re
from datetime import date

from django.utils import translation

from books import charts


def test_month_labels_follow_the_language():
    with translation.override("en"):
        assert charts.date_label(date(2026, 12, 1), "MMM") == "Dec"
    with translation.override("ur"):
        urdu = charts.date_label(date(2026, 12, 1), "MMM")
    assert urdu != "Dec" and not re.search("[A-Za-z]", urdu)


def test_each_legend_entry_has_its_own_row():
    svg = charts.bar_chart(title="t", labels=["a"], series={"آمدنی امریکی ڈالر میں": [100], "پاکستانی روپے": [50]})
    legend_rows = re.findall(r'<rect x="\d+" y="(\d+)" width="10" height="10"', svg)
    assert len(legend_rows) == 2 and len(set(legend_rows)) == 2
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert max(int(y) for y in legend_rows) + 10 <= height
