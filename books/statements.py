"""Reading statement files: Payoneer, Wise, Upwork, Fiverr and any CSV with a column mapping
(docs/IMPORT_FORMATS.md). Parsing only; books.imports posts what it returns.

Every problem names its row (the header is row 1, as in a spreadsheet) and column, and all problems are
reported together; a file with any problem imports nothing. Each row gets a stable fingerprint (the
provider's transaction id where it has one, else the row's content), so importing the same file again, or
a statement for an overlapping period, finds the rows it already has and adds nothing twice.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from books.models import EntryKind, ExpenseCategory, ImportFormat
from ledger.money import MINOR_UNITS, quantize

MAX_ERRORS = 100

DATE_FORMATS = {
    "iso": ("%Y-%m-%d", "2025-01-31"),
    "dmy": ("%d/%m/%Y", "31/01/2025"),
    "mdy": ("%m/%d/%Y", "01/31/2025"),
    "payoneer": ("%d %b %Y", "31 Jan 2025"),
    "wise": ("%d-%m-%Y", "31-01-2025"),
    "upwork": ("%b %d, %Y", "Jan 31, 2025"),
}
DOT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
SYMBOLS = "$€£₨"


class StatementError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class Row:
    line: int
    occurred_on: date
    amount: Decimal  # signed as it affects the account: money in positive
    currency: str
    kind: str
    category: str
    client: str
    description: str
    fingerprint: str


@dataclass(frozen=True)
class Parsed:
    rows: list[Row]
    skipped: int  # rows the provider marks pending/cancelled, or zero amounts


def _fp(source: str, *parts) -> str:
    return hashlib.sha256("|".join([source, *(str(p).strip() for p in parts)]).encode()).hexdigest()


def decode(data: bytes) -> str:
    """The file's text; StatementError for an empty or binary file."""
    if not data or not data.strip():
        raise StatementError([_("The file is empty.")])
    if b"\x00" in data[:8192]:
        raise StatementError([_("This is not a CSV file (it contains binary data).")])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1252" and any(ord(c) < 32 and c not in "\r\n\t" for c in text[:8192]):
            break
        return text
    raise StatementError([_("This is not a CSV text file we can read (save it as UTF-8 CSV).")])


def read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise StatementError([_("The file is empty.")]) from None
    rows = []
    try:
        for number, row in enumerate(reader, start=2):
            if row and any(cell.strip() for cell in row):
                rows.append((number, row))
    except csv.Error as error:
        raise StatementError(
            [_("Row %(row)s: the CSV is malformed (%(error)s).") % {"row": number, "error": error}]
        ) from None
    return header, rows


def headers(data: bytes) -> list[str]:
    return read_table(decode(data))[0]


def parse_amount(text: str, currency: str, style: str = "dot") -> Decimal:
    """'1,234.56' (style dot) or '1.234,56' (style comma), optional sign and currency symbol."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    for symbol in SYMBOLS:
        cleaned = cleaned.replace(symbol, "")
    if cleaned[-3:].upper() in MINOR_UNITS:
        cleaned = cleaned[:-3]
    if cleaned.startswith(("-", "+")) and cleaned[1:2] in SYMBOLS:
        cleaned = cleaned[0] + cleaned[2:]
    example = "1,234.56" if style == "dot" else "1.234,56"
    if not cleaned:
        raise ValueError(_("is empty; enter an amount like %(example)s") % {"example": example})
    pattern = DOT_DECIMAL if style == "dot" else COMMA_DECIMAL
    if not pattern.match(cleaned):
        other = COMMA_DECIMAL if style == "dot" else DOT_DECIMAL
        if other.match(cleaned):
            raise ValueError(
                _("uses the wrong separators for this file: write amounts like %(example)s") % {"example": example}
            )
        raise ValueError(_("is not an amount like %(example)s") % {"example": example})
    plain = cleaned.replace(",", "") if style == "dot" else cleaned.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(plain)
    except InvalidOperation:
        raise ValueError(_("is not an amount like %(example)s") % {"example": example}) from None
    if amount != quantize(amount, currency):
        raise ValueError(_("has more decimals than %(currency)s allows") % {"currency": currency})
    return -amount if negative else amount


def parse_date(text: str, date_format: str) -> date:
    pattern, example = DATE_FORMATS[date_format]
    try:
        return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 -- a calendar date, no time
    except ValueError:
        raise ValueError(_("is not a date like %(example)s") % {"example": example}) from None


# --- Formats ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    columns: list[str]
    date_format: str
    place: str


FORMATS = {
    ImportFormat.PAYONEER: Format(
        ["Date", "Description", "Amount", "Currency", "Status", "Transaction ID"], "payoneer", "payoneer"
    ),
    ImportFormat.WISE: Format(
        [
            "TransferWise ID",
            "Date",
            "Amount",
            "Currency",
            "Description",
            "Payment Reference",
            "Payer Name",
            "Total fees",
        ],
        "wise",
        "wise",
    ),
    ImportFormat.UPWORK: Format(
        ["Date", "Ref ID", "Type", "Description", "Team", "Amount", "Currency"], "upwork", "upwork"
    ),
    ImportFormat.FIVERR: Format(
        ["Date", "Activity", "Description", "From", "Order", "Amount", "Currency"], "mdy", "fiverr"
    ),
}


def _classify_outflow(description: str) -> tuple[str, str]:
    text = description.lower()
    if "fee" in text or "charge" in text:
        return EntryKind.EXPENSE, ExpenseCategory.FEES
    if any(word in text for word in ("withdraw", "transfer to", "sent money", "to bank", "payout")):
        return EntryKind.TRANSFER, ""
    return EntryKind.EXPENSE, ExpenseCategory.OTHER


class _Reader:
    """Collects every problem with its row and column while turning cells into values."""

    def __init__(self):
        self.errors: list[str] = []

    def fail(self, line: int, column: str, value: str, message: str) -> None:
        self.errors.append(
            _("Row %(row)s, column '%(column)s': '%(value)s' %(message)s.")
            % {"row": line, "column": column, "value": value[:40], "message": message}
        )

    def date(self, line, column, value, date_format):
        try:
            return parse_date(value, date_format)
        except ValueError as error:
            self.fail(line, column, value, str(error))

    def currency(self, line, column, value):
        code = value.strip().upper()
        if code not in MINOR_UNITS:
            self.fail(line, column, value, _("is not a currency we handle"))
            return None
        return code

    def amount(self, line, column, value, currency, style="dot"):
        try:
            return parse_amount(value, currency or "USD", style)
        except ValueError as error:
            self.fail(line, column, value, str(error))


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


def parse(data: bytes, source_format: str, mapping: dict | None = None) -> Parsed:
    """Every row of the file, or StatementError listing every problem by row and column."""
    header, table = read_table(decode(data))
    if source_format == ImportFormat.CSV:
        return _parse_generic(header, table, mapping or {})
    spec = FORMATS[source_format]
    cols = _check_columns(header, spec.columns, ImportFormat(source_format).label)
    reader = _Reader()
    rows: list[Row] = []
    skipped = 0
    seen: dict[str, int] = {}
    for line, cells in table:
        if len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))

        def cell(name, cells=cells):
            return cells[cols[name]].strip()

        extra: list[Row] = []
        if source_format == ImportFormat.PAYONEER:
            if cell("Status").lower() not in ("completed", "complete", ""):
                skipped += 1
                continue
            currency = reader.currency(line, "Currency", cell("Currency"))
            on = reader.date(line, "Date", cell("Date"), spec.date_format)
            amount = reader.amount(line, "Amount", cell("Amount"), currency)
            description = cell("Description")
            ident = cell("Transaction ID")
            if not ident:
                reader.fail(line, "Transaction ID", "", _("is empty"))
            client = (
                re.sub(r"^(payment|transfer) from\s+", "", description, flags=re.I) if amount and amount > 0 else ""
            )
            key = _fp("payoneer", ident)
        elif source_format == ImportFormat.WISE:
            currency = reader.currency(line, "Currency", cell("Currency"))
            on = reader.date(line, "Date", cell("Date"), spec.date_format)
            amount = reader.amount(line, "Amount", cell("Amount"), currency)
            fees = reader.amount(line, "Total fees", cell("Total fees") or "0", currency)
            description = cell("Description") or cell("Payment Reference")
            ident = cell("TransferWise ID")
            if not ident:
                reader.fail(line, "TransferWise ID", "", _("is empty"))
            client = cell("Payer Name")
            key = _fp("wise", ident)
            if fees and on and currency:
                extra.append(
                    Row(line, on, -abs(fees), currency, EntryKind.EXPENSE, ExpenseCategory.FEES, "",
                        _("Wise fee: %(what)s") % {"what": description}, _fp("wise", ident, "fee"))
                )  # fmt: skip
        elif source_format == ImportFormat.UPWORK:
            currency = reader.currency(line, "Currency", cell("Currency"))
            on = reader.date(line, "Date", cell("Date"), spec.date_format)
            amount = reader.amount(line, "Amount", cell("Amount"), currency)
            kind_text = cell("Type")
            description = f"{kind_text}: {cell('Description')}".strip(": ")
            ident = cell("Ref ID")
            if not ident:
                reader.fail(line, "Ref ID", "", _("is empty"))
            client = cell("Team")
            key = _fp("upwork", ident)
        else:  # Fiverr
            currency = reader.currency(line, "Currency", cell("Currency") or "USD")
            on = reader.date(line, "Date", cell("Date"), spec.date_format)
            amount = reader.amount(line, "Amount", cell("Amount"), currency)
            description = f"{cell('Activity')}: {cell('Description')}".strip(": ")
            client = cell("From")
            key = _fp("fiverr", cell("Date"), cell("Activity"), cell("Order"), cell("Amount"), cell("Description"))
        if key in seen:
            reader.errors.append(
                _("Row %(row)s repeats row %(first)s (the same transaction).") % {"row": line, "first": seen[key]}
            )
            continue
        seen[key] = line
        if on is None or amount is None or currency is None:
            continue
        rows.extend(extra)
        if amount == 0:
            skipped += 1
            continue
        if amount > 0 or (
            source_format in (ImportFormat.UPWORK, ImportFormat.FIVERR) and "refund" in description.lower()
        ):
            kind, category = EntryKind.INCOME, ""
        else:
            kind, category = _classify_outflow(description)
        rows.append(
            Row(
                line,
                on,
                amount,
                currency,
                kind,
                category,
                client[:120] if kind == EntryKind.INCOME else "",
                description[:255],
                key,
            )
        )
        if len(reader.errors) > MAX_ERRORS:
            break
    return _finish(reader, rows, skipped)


def _finish(reader: _Reader, rows: list[Row], skipped: int) -> Parsed:
    if reader.errors:
        errors = reader.errors[:MAX_ERRORS]
        if len(reader.errors) > MAX_ERRORS:
            errors.append(_("… and more; fix these first."))
        raise StatementError(errors)
    if not rows and not skipped:
        raise StatementError([_("The file has a header but no transactions.")])
    return Parsed(rows=rows, skipped=skipped)


MAPPING_FIELDS = ("date", "amount", "currency", "description", "client", "reference")


def check_mapping(header: list[str], mapping: dict) -> dict:
    """A mapping names a header column for date and amount (required) and optionally currency, description,
    client and reference; or a fixed currency; plus the date format and the decimal style."""
    errors = []
    clean = {}
    for field in MAPPING_FIELDS:
        column = (mapping.get(field) or "").strip()
        if column and column not in header:
            errors.append(_("There is no column '%(column)s' in the file.") % {"column": column})
        clean[field] = column
    for field in ("date", "amount"):
        if not clean[field]:
            errors.append(_("Choose the column that holds the %(field)s.") % {"field": field})
    fixed = (mapping.get("fixed_currency") or "").strip().upper()
    if not clean["currency"] and fixed not in MINOR_UNITS:
        errors.append(_("Choose the currency column, or the one currency the whole file is in."))
    clean["fixed_currency"] = fixed
    clean["date_format"] = mapping.get("date_format") if mapping.get("date_format") in ("iso", "dmy", "mdy") else ""
    if not clean["date_format"]:
        errors.append(_("Choose how dates are written."))
    clean["decimal"] = "comma" if mapping.get("decimal") == "comma" else "dot"
    if errors:
        raise StatementError(errors)
    return clean


def _parse_generic(header, table, mapping) -> Parsed:
    mapping = check_mapping(header, mapping)
    index = {name: i for i, name in enumerate(header)}
    reader = _Reader()
    rows: list[Row] = []
    seen: dict[str, int] = {}
    skipped = 0
    for line, cells in table:
        cells = cells + [""] * (len(header) - len(cells))

        def cell(field, cells=cells):
            return cells[index[mapping[field]]].strip() if mapping[field] else ""

        if mapping["currency"]:
            currency = reader.currency(line, mapping["currency"], cell("currency"))
        else:
            currency = mapping["fixed_currency"]
        on = reader.date(line, mapping["date"], cell("date"), mapping["date_format"])
        amount = reader.amount(line, mapping["amount"], cell("amount"), currency, mapping["decimal"])
        reference = cell("reference")
        description = cell("description")
        if reference:
            key = _fp("csv", reference)
        else:
            key = _fp("csv", cell("date"), cell("amount"), currency, description, cell("client"))
        if key in seen:
            reader.errors.append(
                _("Row %(row)s repeats row %(first)s (the same transaction).") % {"row": line, "first": seen[key]}
            )
            continue
        seen[key] = line
        if on is None or amount is None or currency is None:
            continue
        if amount == 0:
            skipped += 1
            continue
        kind, category = (EntryKind.INCOME, "") if amount > 0 else _classify_outflow(description)
        rows.append(Row(line, on, amount, currency, kind, category, cell("client")[:120], description[:255], key))
        if len(reader.errors) > MAX_ERRORS:
            break
    return _finish(reader, rows, skipped)
