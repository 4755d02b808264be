"""Reading statement files: Payoneer, Wise, Upwork, Fiverr and any CSV with a column mapping
(docs/IMPORT_FORMATS.md). Parsing only; books.imports posts what it returns.

Every problem names its row (the header is row 1, as in a spreadsheet) and column, and all problems are
reported together; a file with any problem imports nothing. Each row gets a stable fingerprint (the
provider's transaction id where it has one, else the row's content), so importing the same file again, or
a statement for an overlapping period, finds the rows it already has and adds nothing twice.

Modules in the order they build on each other: reading (bytes to a table), layouts (which provider),
formats (one row of each provider), parsing (the whole file); callers import from this package.
"""

from books.statements.formats import OWN_ACCOUNTS, READERS, REQUIRED_ID
from books.statements.layouts import (
    BANK_BALANCE,
    BANK_CREDIT,
    BANK_DATE,
    BANK_DEBIT,
    BANK_LABEL,
    BANK_REFERENCE,
    BANK_TEXT,
    BY_KEY,
    LAYOUTS,
    PLACES,
    Detected,
    Layout,
    bank_mapping,
    detect,
)
from books.statements.parsing import MAPPING_FIELDS, check_mapping, parse
from books.statements.reading import (
    COMMA_DECIMAL,
    DATE_FORMATS,
    DOT_DECIMAL,
    EXCEL_DATE,
    MAX_ERRORS,
    OLE_MAGIC,
    SYMBOLS,
    XLSX_MAGIC,
    Parsed,
    Row,
    StatementError,
    decode,
    headers,
    parse_amount,
    parse_date,
    read_table,
    xlsx_text,
)

__all__ = [
    "BANK_BALANCE",
    "BANK_CREDIT",
    "BANK_DATE",
    "BANK_DEBIT",
    "BANK_LABEL",
    "BANK_REFERENCE",
    "BANK_TEXT",
    "BY_KEY",
    "COMMA_DECIMAL",
    "DATE_FORMATS",
    "DOT_DECIMAL",
    "Detected",
    "EXCEL_DATE",
    "LAYOUTS",
    "Layout",
    "MAPPING_FIELDS",
    "MAX_ERRORS",
    "OLE_MAGIC",
    "OWN_ACCOUNTS",
    "PLACES",
    "Parsed",
    "READERS",
    "REQUIRED_ID",
    "Row",
    "SYMBOLS",
    "StatementError",
    "XLSX_MAGIC",
    "bank_mapping",
    "check_mapping",
    "decode",
    "detect",
    "headers",
    "parse",
    "parse_amount",
    "parse_date",
    "read_table",
    "xlsx_text",
]
