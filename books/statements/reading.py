"""Reading a statement file into a table: text encodings, Excel workbooks, CSV, amounts and dates as each
provider writes them; and what parsing returns (Row, Parsed) or raises (StatementError)."""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

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
