"""Pakistan's fiscal year runs from 1 July to 30 June ("2025-26"): the books and tax both count in it."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FiscalYear:
    label: str  # "2025-26"
    starts: date
    ends: date

    @property
    def start_year(self) -> int:
        return self.starts.year

    def months(self) -> list[date]:
        """First day of each fiscal month, July first."""
        return [date(self.starts.year + (m + 6) // 12, (m + 6) % 12 + 1, 1) for m in range(12)]


def fiscal_year_label(on: date) -> str:
    start = on.year if on.month >= 7 else on.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def fiscal_year(on: date | str) -> FiscalYear:
    """The fiscal year containing a date, or named like '2025-26' (or by its starting year, '2025')."""
    if isinstance(on, str):
        start = int(on.split("-")[0])
    else:
        start = on.year if on.month >= 7 else on.year - 1
    return FiscalYear(f"{start}-{(start + 1) % 100:02d}", date(start, 7, 1), date(start + 1, 6, 30))
