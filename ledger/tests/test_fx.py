import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from ledger.errors import ExchangeRateError
from ledger.fx import exchange_rate_on, import_rates_csv
from ledger.models import ExchangeRate

pytestmark = pytest.mark.django_db


def test_import_then_look_up_the_latest_rate_on_or_before_a_day(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,rate\n2025-01-01,USD,278.50\n2025-01-03,USD,279.10\n2025-01-03,eur,290.25\n")
    out = io.StringIO()
    call_command("import_fx_rates", str(path), "--source", "sbp", stdout=out)
    assert "Imported 3 new" in out.getvalue()
    assert exchange_rate_on(base="USD", on=date(2025, 1, 2)).rate == Decimal("278.50")
    assert exchange_rate_on(base="USD", on=date(2025, 1, 9)).rate == Decimal("279.10")
    assert exchange_rate_on(base="EUR", on=date(2025, 1, 3)).source == "sbp"
    with pytest.raises(ExchangeRateError, match="No USD/PKR rate on or before 2024-12-31"):
        exchange_rate_on(base="USD", on=date(2024, 12, 31))


def test_reimport_updates_in_place():
    import_rates_csv(lines=["2025-01-01,USD,278.50"], source="bank")
    assert import_rates_csv(lines=["2025-01-01,USD,278.60"], source="bank") == (0, 1)
    assert ExchangeRate.objects.get().rate == Decimal("278.60")


def test_bad_rows_are_all_reported_and_nothing_is_imported(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        "2025-01-01,USD,278.50\n2025-13-01,USD,1\n2025-01-02,XYZ,1\n2025-01-02,USD,-3\n"
        "2025-01-02,GBP,1.123456789\n2025-01-02,PKR,1\n2025-01-01,USD,279\n2025-01-05,USD\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("import_fx_rates", str(path))
    message = str(error.value)
    for expected in [
        "line 2: '2025-13-01' is not a date",
        "line 3: unknown currency 'XYZ'",
        "line 4: A rate must be a positive number",
        "line 5: 1.123456789 has more than 8 decimals",
        "line 6: PKR against itself",
        "line 7: USD on 2025-01-01 appears twice",
        "line 8: expected date,currency,rate",
    ]:
        assert expected in message
    assert ExchangeRate.objects.count() == 0
