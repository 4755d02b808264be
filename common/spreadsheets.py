"""CSV exports that a spreadsheet cannot turn into formulas.

Excel, LibreOffice and Google Sheets run a cell that begins with =, +, -, @ (or a tab or carriage return
before one) as a formula, so a client named `=HYPERLINK(...)` would become a live link in the
freelancer's spreadsheet. Every export writes through `safe_csv_writer`, which prefixes such a cell with a
single quote: the sheet shows the text as typed. A plain number such as `-12.50` is left alone, because
it is read as a number, not a formula, and accountants need it to stay one.
"""

import csv
import re
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_safe_cell(value):
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([csv_safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_csv_writer(out, **options) -> SafeCsvWriter:
    """A csv.writer whose every cell goes through `csv_safe_cell`."""
    return SafeCsvWriter(out, **options)
