"""The statement layouts Kamai knows (Payoneer, Wise, Upwork, Fiverr, bank statements) and telling which one
a file is from its header row.

Each provider has exported more than one layout; docs/IMPORT_FORMATS.md says where each comes from. A layout is
recognised from its header row by the columns it must have (case and surrounding spaces ignored)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from books.models import ImportFormat
from books.statements.reading import StatementError


@dataclass(frozen=True)
class Layout:
    key: str
    source_format: str
    label: str
    columns: tuple[str, ...]
    date_format: str
    place: str


LAYOUTS = [
    Layout(
        "payoneer_credit_debit", ImportFormat.PAYONEER, _lazy("Payoneer transactions (Credit and Debit columns)"),
        ("Transaction Date", "Transaction ID", "Description", "Credit Amount", "Debit Amount", "Currency", "Status"),
        "mdy", "payoneer",
    ),
    Layout(
        "payoneer", ImportFormat.PAYONEER, _lazy("Payoneer activity (one Amount column)"),
        ("Date", "Description", "Amount", "Currency", "Status"), "payoneer", "payoneer",
    ),
    Layout(
        "wise", ImportFormat.WISE, _lazy("Wise statement"),
        ("TransferWise ID", "Date", "Amount", "Currency", "Description"), "wise", "wise",
    ),
    Layout(
        "upwork_19", ImportFormat.UPWORK, _lazy("Upwork transactions (19 columns)"),
        ("Date", "Transaction ID", "Transaction type", "Amount $"), "upwork", "upwork",
    ),
    Layout(
        "upwork", ImportFormat.UPWORK, _lazy("Upwork transactions (legacy)"),
        ("Date", "Ref ID", "Type", "Description", "Amount"), "upwork", "upwork",
    ),
    Layout(
        "fiverr", ImportFormat.FIVERR, _lazy("Fiverr earnings"),
        ("Date", "Activity", "Description", "Amount"), "mdy", "fiverr",
    ),
]  # fmt: skip


BY_KEY = {layout.key: layout for layout in LAYOUTS}


PLACES = {ImportFormat.PAYONEER: "payoneer", ImportFormat.WISE: "wise", ImportFormat.UPWORK: "upwork",
          ImportFormat.FIVERR: "fiverr"}  # fmt: skip


BANK_LABEL = _lazy("Bank statement (Debit and Credit columns)")


BANK_DATE = ("txn date", "transaction date", "tran date", "value date", "posting date", "date")


BANK_TEXT = ("narration", "description", "particulars", "details", "transaction details", "remarks")


BANK_DEBIT = ("debit", "withdrawal", "withdrawals", "debit amount")


BANK_CREDIT = ("credit", "deposit", "deposits", "credit amount")


BANK_BALANCE = ("balance", "running balance", "available balance", "closing balance")


BANK_REFERENCE = ("reference", "ref no", "cheque no", "chq / ref no", "transaction id", "instrument no")


def _has(header: list[str], columns) -> bool:
    names = {h.strip().lower() for h in header}
    return all(column.lower() in names for column in columns)


def _first(header: list[str], candidates) -> str:
    by_name = {h.strip().lower(): h for h in header}
    return next((by_name[name] for name in candidates if name in by_name), "")


def bank_mapping(header: list[str]) -> dict | None:
    """A column mapping for a bank statement with Debit and Credit columns (the CSV that Pakistani banks
    export: Txn Date, Narration, Debit, Credit, Balance), in PKR with day-first dates; None if not one."""
    found = {
        "date": _first(header, BANK_DATE),
        "description": _first(header, BANK_TEXT),
        "debit": _first(header, BANK_DEBIT),
        "credit": _first(header, BANK_CREDIT),
    }
    if not all(found.values()):
        return None
    found.update(balance=_first(header, BANK_BALANCE), reference=_first(header, BANK_REFERENCE))
    return {**found, "fixed_currency": "PKR", "date_format": "dmy", "decimal": "dot", "place": "bank"}


@dataclass(frozen=True)
class Detected:
    source_format: str
    layout: str  # a LAYOUTS key, or "bank" for a bank statement read through a column mapping
    label: str
    mapping: dict | None = None


def detect(header: list[str]) -> Detected | None:
    """The provider and layout the header row belongs to, or None when it matches none we know."""
    for layout in LAYOUTS:
        if _has(header, layout.columns):
            return Detected(layout.source_format, layout.key, str(layout.label))
    mapping = bank_mapping(header)
    if mapping:
        return Detected(ImportFormat.CSV, "bank", str(BANK_LABEL), mapping)
    return None


def _layout_for(header: list[str], source_format: str) -> Layout:
    candidates = [layout for layout in LAYOUTS if layout.source_format == source_format]
    for layout in candidates:
        if _has(header, layout.columns):
            return layout
    expected = candidates[-1] if source_format == ImportFormat.UPWORK else candidates[0]
    if source_format == ImportFormat.PAYONEER:
        expected = candidates[1]
    _check_columns(header, list(expected.columns), ImportFormat(source_format).label)
    return expected  # not reached: _check_columns raised


def _check_columns(header: list[str], expected: list[str], label: str) -> dict[str, int]:
    index = {name.lower(): i for i, name in enumerate(header)}
    missing = [name for name in expected if name.lower() not in index]
    if missing:
        raise StatementError(
            [
                _("Row 1: this is not a %(format)s statement; missing column(s) %(missing)s (found: %(found)s).")
                % {
                    "format": label,
                    "missing": ", ".join(f"'{m}'" for m in missing),
                    "found": ", ".join(f"'{h}'" for h in header[:12]) or _("nothing"),
                }
            ]
        )
    return {name: index[name.lower()] for name in expected}
