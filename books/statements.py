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
from django.utils.translation import gettext_lazy as _lazy

from books.categories import Rule, classify_outflow
from books.models import EntryKind, ImportFormat
from ledger.money import MINOR_UNITS, quantize

MAX_ERRORS = 100

DATE_FORMATS = {
    "iso": (("%Y-%m-%d",), "2025-01-31"),
    # day first, however the bank separates it: 31/01/2025, 31-01-2025, 31-Jan-2025, 31 Jan 2025
    "dmy": (("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%d-%b-%y"), "31/01/2025"),
    "mdy": (("%m/%d/%Y", "%m-%d-%Y"), "01/31/2025"),
    "payoneer": (("%d %b %Y", "%d %b, %Y"), "31 Jan 2025"),
    "wise": (("%d-%m-%Y",), "31-01-2025"),
    "upwork": (("%b %d, %Y", "%m/%d/%Y"), "Jan 31, 2025"),
}
DOT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
SYMBOLS = "$€£₨"
XLSX_MAGIC = b"PK\x03\x04"  # a zip: Excel's .xlsx
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
EXCEL_DATE = "%Y-%m-%dT%H:%M:%S"


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
    realized_pkr: Decimal | None = None  # the PKR the file says arrived for this row (conversion, withdrawal)


@dataclass(frozen=True)
class Parsed:
    rows: list[Row]
    skipped: int  # rows the provider marks pending/cancelled, or zero amounts
    closing_balance: Decimal | None = None  # the file's running balance after its latest row, where it has one


def _fp(source: str, *parts) -> str:
    return hashlib.sha256("|".join([source, *(str(p).strip() for p in parts)]).encode()).hexdigest()


def decode(data: bytes) -> str:
    """The file's text; StatementError for an empty or binary file."""
    if not data or not data.strip():
        raise StatementError([_("The file is empty.")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise StatementError([_("This UTF-16 file is damaged; save it again as CSV UTF-8.")]) from None
    if data.startswith(XLSX_MAGIC):
        return xlsx_text(data)
    if data.startswith(OLE_MAGIC):
        raise StatementError([_("This is an old Excel .xls file; save it as .xlsx or as CSV UTF-8 and import that.")])
    if b"\x00" in data[:8192]:
        raise StatementError([_("This is not a CSV or XLSX file (it contains binary data).")])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1252" and any(ord(c) < 32 and c not in "\r\n\t" for c in text[:8192]):
            break
        return text
    raise StatementError([_("This is not a CSV text file we can read (save it as UTF-8 CSV).")])


def _cell_text(value) -> str:
    """An Excel cell as the CSV text the parsers read: date cells as an ISO timestamp (which parse_date accepts
    for every layout, unlike a typed ISO date), numbers without exponent or float noise."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(EXCEL_DATE)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).strftime(EXCEL_DATE)  # noqa: DTZ001 -- a calendar day
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def xlsx_text(data: bytes) -> str:
    """The first sheet of an Excel workbook as CSV text, so the same parser reads it."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- zipfile, XML and openpyxl all raise their own errors for a bad workbook
        raise StatementError(
            [_("This is not an XLSX workbook we can read; save it again as .xlsx or as CSV.")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows(values_only=True):
            writer.writerow([_cell_text(value) for value in row])
    finally:
        workbook.close()
    text = out.getvalue()
    if not text.strip(",\n"):
        raise StatementError([_("The file is empty.")])
    return text


def read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    # The header row decides the delimiter: Excel's "Unicode text" is tab separated, European exports use ";".
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter if first_line.count(delimiter) else ",")
    try:
        header = [h.replace("\ufeff", "").strip() for h in next(reader)]
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
    patterns, example = DATE_FORMATS[date_format]
    # An Excel date cell arrives as an ISO timestamp (xlsx_text), whatever the layout: never ambiguous.
    for pattern in (*patterns, EXCEL_DATE):
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 -- a calendar date, no time
        except ValueError:
            continue
    raise ValueError(_("is not a date like %(example)s") % {"example": example})


# --- Layouts ----------------------------------------------------------------------------------------------
# Each provider has exported more than one layout; docs/IMPORT_FORMATS.md says where each comes from. A layout
# is recognised from its header row by the columns it must have (case and surrounding spaces ignored).


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


OWN_ACCOUNTS = re.compile(r"\b(payoneer|wise|transferwise|upwork|fiverr)\b", re.I)


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

    def optional_amount(self, line, column, value, currency, style="dot"):
        """A cell that may be blank (a Debit column on a credit line): blank is zero."""
        if not value.strip() or value.strip() in ("-", "--"):
            return Decimal(0)
        return self.amount(line, column, value, currency, style)


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


@dataclass
class _Line:
    """One statement line as read, before it becomes a Row."""

    on: date | None
    amount: Decimal | None
    currency: str | None
    description: str
    client: str = ""
    ident: str = ""  # the provider's own transaction id, when the layout has one
    content: tuple = ()  # the raw cells that identify the line when there is no id
    realized_pkr: Decimal | None = None
    balance: Decimal | None = None
    income_words: tuple[str, ...] = ()  # negative lines that are still income (refunds, reversals)


def _payoneer_credit_debit(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency"))
    credit = reader.optional_amount(line, "Credit Amount", cell("Credit Amount"), currency)
    debit = reader.optional_amount(line, "Debit Amount", cell("Debit Amount"), currency)
    amount = None if credit is None or debit is None else credit - abs(debit)
    description = " ".join(filter(None, [cell("Description"), cell("Additional Description")]))
    realized = None
    if cell("Transfer Amount Currency").upper() == "PKR" and cell("Transfer Amount") and amount and amount < 0:
        realized = reader.amount(line, "Transfer Amount", cell("Transfer Amount"), "PKR")
    client = cell("Source") or re.sub(r"^(payment|transfer) from\s+", "", cell("Description"), flags=re.I)
    return _Line(
        reader.date(line, "Transaction Date", cell("Transaction Date"), layout.date_format), amount, currency,
        description, client, ident=cell("Transaction ID"), realized_pkr=realized,
        balance=_balance(cell, line, reader, "Running Balance", currency),
    )  # fmt: skip


def _balance(cell, line, reader, column, currency):
    return reader.amount(line, column, cell(column), currency) if cell(column) else None


def _payoneer(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency"))
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    description = cell("Description")
    client = re.sub(r"^(payment|transfer) from\s+", "", description, flags=re.I)
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency, description, client,
        ident=cell("Transaction ID"), content=(cell("Date"), cell("Amount"), cell("Currency"), description),
        balance=_balance(cell, line, reader, "Running Balance", currency),
    )  # fmt: skip


def _wise(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency"))
    # Amount is what left or reached the balance, fees included (the Running Balance moves by exactly it), so
    # the fee is never booked again as a line of its own.
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    realized = None
    if cell("Exchange To").upper() == "PKR" and cell("Exchange To Amount") and currency != "PKR":
        realized = reader.amount(line, "Exchange To Amount", cell("Exchange To Amount"), "PKR")
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency,
        cell("Description") or cell("Payment Reference"), cell("Payer Name"), ident=cell("TransferWise ID"),
        realized_pkr=realized, balance=_balance(cell, line, reader, "Running Balance", currency),
    )  # fmt: skip


def _upwork_19(cell, line, reader, layout):
    # "Amount $" is always USD; "Currency" belongs to "Amount in local currency".
    amount = reader.amount(line, "Amount $", cell("Amount $"), "USD")
    kind_text = cell("Transaction type")
    text = cell("Description 1") or cell("Transaction summary")
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, "USD",
        f"{kind_text}: {text}".strip(": "), cell("Client team"), ident=cell("Transaction ID") or cell("Ref ID"),
        balance=_balance(cell, line, reader, "Current balance $", "USD"), income_words=("refund",),
    )  # fmt: skip


def _upwork(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency") or "USD")
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency,
        f"{cell('Type')}: {cell('Description')}".strip(": "), cell("Team"), ident=cell("Ref ID"),
        income_words=("refund",),
    )  # fmt: skip


def _fiverr(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency") or "USD")
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency,
        f"{cell('Activity')}: {cell('Description')}".strip(": "), cell("From"),
        content=(cell("Date"), cell("Activity"), cell("Order"), cell("Amount"), cell("Description")),
        income_words=("refund",),
    )  # fmt: skip


READERS = {
    "payoneer_credit_debit": _payoneer_credit_debit,
    "payoneer": _payoneer,
    "wise": _wise,
    "upwork_19": _upwork_19,
    "upwork": _upwork,
    "fiverr": _fiverr,
}
REQUIRED_ID = {"payoneer_credit_debit": "Transaction ID", "wise": "TransferWise ID", "upwork": "Ref ID"}


def parse(data: bytes, source_format: str, mapping: dict | None = None, rules: tuple[Rule, ...] = ()) -> Parsed:
    """Every row of the file, or StatementError listing every problem by row and column. `rules` are the
    freelancer's category rules (books.categories.ordered), loaded once for the whole file."""
    header, table = read_table(decode(data))
    if source_format == ImportFormat.CSV:
        return _parse_generic(header, table, mapping or {}, rules)
    layout = _layout_for(header, source_format)
    index = {name.lower(): i for i, name in enumerate(header)}
    read = READERS[layout.key]
    reader = _Reader()
    lines: list[tuple[int, _Line]] = []
    skipped = 0
    for line, cells in table:
        cells = cells + [""] * (len(header) - len(cells))

        def cell(name, cells=cells):
            position = index.get(name.lower())
            return cells[position].strip() if position is not None else ""

        status = cell("Status").lower()
        if status not in ("completed", "complete", ""):
            skipped += 1
            continue
        item = read(cell, line, reader, layout)
        if layout.key in REQUIRED_ID and not item.ident:
            reader.fail(line, REQUIRED_ID[layout.key], "", _("is empty"))
        lines.append((line, item))
        if len(reader.errors) > MAX_ERRORS:
            break
    return _rows(reader, layout.source_format, lines, skipped, rules)


def _rows(
    reader: _Reader, source: str, lines: list[tuple[int, "_Line"]], skipped: int, rules: tuple[Rule, ...] = ()
) -> Parsed:
    """Rows with their fingerprints. A provider id seen twice is an error; lines without an id are told apart
    by their occurrence in the file, so two genuine identical charges are both kept while the same file
    imported again gives the same fingerprints."""
    rows: list[Row] = []
    seen: dict[str, int] = {}
    occurrences: dict[str, int] = {}
    dated: list[tuple[date, int, Decimal]] = []
    for line, item in lines:
        if item.ident:
            key = _fp(source, item.ident)
            if key in seen:
                reader.errors.append(
                    _("Row %(row)s repeats row %(first)s (the same transaction).") % {"row": line, "first": seen[key]}
                )
                continue
            seen[key] = line
        else:
            content = _fp(source, *item.content)
            occurrences[content] = occurrences.get(content, 0) + 1
            key = content if occurrences[content] == 1 else _fp(source, *item.content, occurrences[content])
        if item.on is None or item.amount is None or item.currency is None:
            continue
        if item.balance is not None:
            dated.append((item.on, line, item.balance))
        if item.amount == 0:
            skipped += 1
            continue
        kind, category = _classify(source, item, rules)
        rows.append(
            Row(
                line, item.on, item.amount, item.currency, kind, category,
                item.client[:120] if kind == EntryKind.INCOME else "", item.description[:255], key,
                item.realized_pkr,
            )
        )  # fmt: skip
    parsed = _finish(reader, rows, skipped)
    if dated:
        # Statements list newest first or last; the closing balance is the latest date's, and within that day
        # the row printed last in time (the top one when the newest come first).
        newest_first = len(dated) > 1 and dated[0][0] > dated[-1][0]
        closing = max(dated, key=lambda d: (d[0], -d[1] if newest_first else d[1]))
        return Parsed(parsed.rows, parsed.skipped, closing[2])
    return parsed


def _classify(source: str, item: _Line, rules: tuple[Rule, ...]) -> tuple[str, str]:
    text = item.description.lower()
    if item.amount > 0:
        if source == ImportFormat.CSV and OWN_ACCOUNTS.search(item.description):
            # Money from the freelancer's own Payoneer or Wise: earned (and booked) there already.
            return EntryKind.TRANSFER, ""
        return EntryKind.INCOME, ""
    if any(word in text for word in item.income_words):
        return EntryKind.INCOME, ""
    return classify_outflow(item.description, rules)


def _finish(reader: _Reader, rows: list[Row], skipped: int) -> Parsed:
    if reader.errors:
        errors = reader.errors[:MAX_ERRORS]
        if len(reader.errors) > MAX_ERRORS:
            errors.append(_("… and more; fix these first."))
        raise StatementError(errors)
    if not rows and not skipped:
        raise StatementError([_("The file has a header but no transactions.")])
    return Parsed(rows=rows, skipped=skipped)


MAPPING_FIELDS = ("date", "amount", "debit", "credit", "balance", "currency", "description", "client", "reference")


def check_mapping(header: list[str], mapping: dict) -> dict:
    """A mapping names a header column for the date and either one signed amount or Debit and/or Credit
    columns (or Withdrawal and Deposit), and optionally the running balance, currency, description, client
    and reference; or a fixed currency; plus the date order and the decimal style."""
    errors = []
    clean = {}
    for field in MAPPING_FIELDS:
        column = (mapping.get(field) or "").strip()
        if column and column not in header:
            errors.append(_("There is no column '%(column)s' in the file.") % {"column": column})
        clean[field] = column
    if not clean["date"]:
        errors.append(_("Choose the column that holds the %(field)s.") % {"field": "date"})
    if not clean["amount"] and not (clean["debit"] or clean["credit"]):
        errors.append(_("Choose the amount column, or the Debit and Credit columns."))
    if clean["amount"] and (clean["debit"] or clean["credit"]):
        errors.append(_("Choose either one amount column or Debit and Credit columns, not both."))
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


def _parse_generic(header, table, mapping, rules: tuple[Rule, ...] = ()) -> Parsed:
    mapping = check_mapping(header, mapping)
    index = {name: i for i, name in enumerate(header)}
    reader = _Reader()
    lines: list[tuple[int, _Line]] = []
    style = mapping["decimal"]
    for line, cells in table:
        cells = cells + [""] * (len(header) - len(cells))

        def cell(field, cells=cells):
            return cells[index[mapping[field]]].strip() if mapping[field] else ""

        if mapping["currency"]:
            currency = reader.currency(line, mapping["currency"], cell("currency"))
        else:
            currency = mapping["fixed_currency"]
        on = reader.date(line, mapping["date"], cell("date"), mapping["date_format"])
        if mapping["amount"]:
            amount = reader.amount(line, mapping["amount"], cell("amount"), currency, style)
            raw_amount = cell("amount")
        else:
            # Banks print both columns positive and leave the other one blank.
            credit = reader.optional_amount(line, mapping["credit"], cell("credit"), currency, style)
            debit = reader.optional_amount(line, mapping["debit"], cell("debit"), currency, style)
            amount = None if credit is None or debit is None else abs(credit) - abs(debit)
            raw_amount = f"{cell('credit')}/{cell('debit')}"
        balance = reader.amount(line, mapping["balance"], cell("balance"), currency, style) if cell("balance") else None
        description = cell("description")
        lines.append(
            (line, _Line(on, amount, currency, description, cell("client"), ident=cell("reference"),
                         content=(cell("date"), raw_amount, currency, description, cell("client")), balance=balance))
        )  # fmt: skip
        if len(reader.errors) > MAX_ERRORS:
            break
    return _rows(reader, ImportFormat.CSV, lines, 0, rules)
