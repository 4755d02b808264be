"""Parsing a whole file: every row of a known layout or of a CSV with the freelancer's column mapping,
classified, each with its fingerprint; or StatementError listing every problem."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from books.categories import Rule, classify_outflow
from books.models import EntryKind, ImportFormat
from books.statements.formats import OWN_ACCOUNTS, READERS, REQUIRED_ID, _Line, _Reader
from books.statements.layouts import _layout_for
from books.statements.reading import MAX_ERRORS, Parsed, Row, StatementError, _fp, decode, read_table
from ledger.money import MINOR_UNITS


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
