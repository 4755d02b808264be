"""Every Urdu catalogue is complete and its compiled .mo matches it: a string added without its Urdu, or a
.po edited without `make messages`, fails here rather than showing English on an Urdu page."""

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

CATALOGUES = sorted(
    path
    for path in Path(settings.BASE_DIR).glob("**/locale/ur/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "locale_vendor" not in path.parts
)


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 6


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_catalogue_is_complete_and_compiled(po_path):
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale="ur")
    missing = [
        m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [], f"untranslated in {po_path}: {missing[:5]}"
    assert fuzzy == [], f"fuzzy in {po_path}: {fuzzy[:5]}"
    with po_path.with_suffix(".mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert _keys(compiled) == _keys(catalogue), f"{po_path} is not compiled: run make messages"


def _keys(catalogue) -> set:
    def text(value):
        return value.decode() if isinstance(value, bytes) else value

    return {(text(m.context), tuple(m.id) if isinstance(m.id, list | tuple) else m.id) for m in catalogue if m.id}
