"""Saved column mappings (issue 12, item 3): named per freelancer, offered on the mapping page, and applied by
themselves to the next file with the same header row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from books.errors import BooksError
from books.imports import mapping_preset_save, statement_import_create
from books.models import Entry, ImportStatus, MappingPreset, StatementImport
from books.tests.conftest import sample

MAPPING = {"date": "Booking date", "amount": "Value", "description": "Text", "reference": "Ref",
           "fixed_currency": "PKR", "date_format": "dmy", "decimal": "comma", "place": "hbl"}  # fmt: skip
NEXT_MONTH = b"booking date ; Text;Value;Ref\n03/09/2025;Retainer from Al Noor Trading;1.500,00;B-3\n"


def _map_first_file(client, user, save_as="HBL current account"):
    client.force_login(user)
    client.post(reverse("books:import_list"), {"source_format": "auto", "file": sample("generic.csv")})
    imp = StatementImport.objects.filter(user=user).latest("id")
    assert imp.status == ImportStatus.MAPPING
    response = client.post(reverse("books:import_mapping", args=[imp.pk]), {**MAPPING, "save_as": save_as})
    assert response.url == reverse("books:import_detail", args=[imp.pk])
    return imp


def test_a_saved_mapping_imports_the_next_file_with_the_same_columns_by_itself(client, freelancer, rates):
    _map_first_file(client, freelancer)
    preset = MappingPreset.objects.get(user=freelancer)
    assert (preset.name, preset.mapping["place"], preset.mapping["decimal"]) == ("HBL current account", "hbl", "comma")
    upload = SimpleUploadedFile("september.csv", NEXT_MONTH)
    imp = statement_import_create(user=freelancer, source_format="auto", upload=upload)
    assert imp.status == ImportStatus.DONE, imp.errors
    assert (imp.mapping["preset"], imp.created_count) == ("HBL current account", 1)
    assert Entry.objects.filter(user=freelancer, place="hbl").count() == 3


def test_the_mapping_page_offers_saved_mappings_and_fills_one_in(client, freelancer, rates):
    _map_first_file(client, freelancer)
    preset = MappingPreset.objects.get(user=freelancer)
    other_header = b"Posted;Details;Value;Ref\n03/09/2025;Fee;-1,00;C-1\n"
    client.post(
        reverse("books:import_list"), {"source_format": "auto", "file": SimpleUploadedFile("x.csv", other_header)}
    )
    imp = StatementImport.objects.filter(user=freelancer).latest("id")
    assert imp.status == ImportStatus.MAPPING  # a different header: not applied by itself
    page = client.get(reverse("books:import_mapping", args=[imp.pk]), {"preset": preset.pk}).content.decode()
    assert "HBL current account" in page and 'value="hbl"' in page
    assert '<option value="dmy" selected>' in page


def test_another_freelancers_mapping_is_neither_applied_nor_offered(client, freelancer, other, rates):
    _map_first_file(client, freelancer)
    imp = statement_import_create(user=other, source_format="auto", upload=SimpleUploadedFile("s.csv", NEXT_MONTH))
    assert imp.status == ImportStatus.MAPPING
    client.force_login(other)
    assert "HBL current account" not in client.get(reverse("books:import_mapping", args=[imp.pk])).content.decode()


def test_saving_under_the_same_name_replaces_the_mapping(client, freelancer, rates):
    _map_first_file(client, freelancer)
    mapping_preset_save(user=freelancer, name=" HBL current account ", columns=["A"], mapping={"date": "A"})
    assert list(MappingPreset.objects.filter(user=freelancer).values_list("columns", flat=True)) == [["A"]]
    with pytest.raises(BooksError):
        mapping_preset_save(user=freelancer, name="  ", columns=["A"], mapping={})
