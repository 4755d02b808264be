"""Importing statements into the personal book: validate the whole file (nothing is written if any row is
wrong), skip rows already in the book (stable fingerprints), then post the rest through
ledger.services.post_transactions in batches and record an entry per row.

A small file is imported within the request in one database transaction. A large one (more rows than
settings.BOOKS_IMPORT_BACKGROUND_ROWS, 2,000 by default) runs as a Huey job that commits batch by batch and
updates the progress bar; every row's ledger key is derived from its fingerprint, so a job that stops midway
is simply run again and finishes without doubling anything.
"""

from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

from books.category_rules import category_rules_load
from books.errors import BooksError
from books.models import Entry, EntryKind, ImportFormat, ImportStatus, MappingPreset, PkrBasis, StatementImport
from books.month_totals import entries_insert, month_totals_add
from books.rates import RateBook
from books.services import _check_place, cash, expense_account, income_account, ledger_key
from books.statements import MAPPING_FIELDS, PLACES, StatementError, check_mapping, decode, detect, parse, read_table
from books.tasks import run_statement_import
from ledger import chart
from ledger.errors import LedgerError
from ledger.money import RATE_DECIMAL_PLACES, to_minor
from ledger.services import Leg, post_transactions
from webhooks import services as webhooks

BATCH_SIZE = 1000
# Fingerprints asked about per query: far below any SQLite build's variable limit (999 on old builds).
LOOKUP_CHUNK = 500


def background_threshold() -> int:
    return getattr(settings, "BOOKS_IMPORT_BACKGROUND_ROWS", 2000)


def max_import_bytes() -> int:
    return getattr(settings, "BOOKS_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


AUTO = "auto"


def statement_import_create(*, user, source_format: str, upload) -> StatementImport:
    """Store an uploaded statement and start importing it. With source_format "auto" the provider and layout
    are recognised from the header row (a bank statement with Debit and Credit columns gets its column
    mapping filled in); a chosen format overrides that. A CSV nobody recognises waits for its column mapping.
    Refuses empty, binary or oversized files and files without the format's columns."""
    if source_format != AUTO and source_format not in ImportFormat.values:
        raise BooksError(_("Choose the statement's format."))
    if upload.size > max_import_bytes():
        raise BooksError(_("The file is larger than %(mb)s MB.") % {"mb": max_import_bytes() // (1024 * 1024)})
    upload.seek(0)
    data = upload.read()
    try:
        text = decode(data)
        columns = read_table(text)[0]
    except StatementError as error:
        raise BooksError(error.errors[0]) from None
    detected = detect(columns)
    recognised = {"layout": detected.layout, "recognised": detected.label} if detected else {"recognised": ""}
    if source_format == AUTO:
        source_format = detected.source_format if detected else ImportFormat.CSV
    mapping = dict(recognised)
    status = ImportStatus.QUEUED
    if source_format == ImportFormat.CSV:
        mapping["columns"] = columns
        preset = matching_preset(user=user, columns=columns)
        if preset is not None:
            mapping.update(_renamed(preset.mapping, columns))
            mapping["preset"] = preset.name
        elif detected and detected.mapping:
            mapping.update(detected.mapping)
        else:
            status = ImportStatus.MAPPING
    imp = StatementImport(
        user=user,
        source_format=source_format,
        original_name=(getattr(upload, "name", "") or "")[:255],
        status=status,
        mapping=mapping,
        total_rows=max(text.rstrip("\n").count("\n"), 1),
    )
    upload.seek(0)
    imp.file.save("statement.csv", upload, save=False)
    imp.save()
    if imp.status == ImportStatus.QUEUED:
        statement_import_start(statement_import=imp)
        imp.refresh_from_db()
    return imp


def matching_preset(*, user, columns: list[str]) -> MappingPreset | None:
    """The freelancer's latest saved mapping made for this header row (names compared without case or spaces)."""
    key = MappingPreset.header_key(columns)
    return next(
        (p for p in MappingPreset.objects.filter(user=user) if MappingPreset.header_key(p.columns) == key), None
    )


def _renamed(mapping: dict, columns: list[str]) -> dict:
    """A preset's mapping naming this file's columns as they are spelled here (case and spaces may differ)."""
    actual = dict(zip(MappingPreset.header_key(columns), columns, strict=True))
    renamed = dict(mapping)
    for field in MAPPING_FIELDS:
        if renamed.get(field):
            renamed[field] = actual.get(renamed[field].strip().lower(), renamed[field])
    return renamed


def mapping_preset_save(*, user, name: str, columns: list[str], mapping: dict) -> MappingPreset:
    """Save (or replace, under the same name) a checked column mapping for files with this header row."""
    name = (name or "").strip()[:60]
    if not name:
        raise BooksError(_("Give the saved mapping a name."))
    preset, _created = MappingPreset.objects.update_or_create(
        user=user, name=name, defaults={"columns": list(columns), "mapping": mapping}
    )
    return preset


def statement_import_set_mapping(
    *, statement_import: StatementImport, mapping: dict, place: str, save_as: str = ""
) -> StatementImport:
    """Save the generic CSV's column mapping (checked against its header), optionally as a named preset for the
    next file with the same header row, and start the import."""

    if statement_import.status not in (ImportStatus.MAPPING, ImportStatus.FAILED):
        raise BooksError(_("This import has already started."))
    try:
        clean = check_mapping(statement_import.mapping.get("columns", []), mapping)
    except StatementError as error:
        raise BooksError(" ".join(error.errors)) from None
    clean["place"] = _check_place(place or "bank")
    columns = statement_import.mapping.get("columns", [])
    if save_as.strip():
        mapping_preset_save(user=statement_import.user, name=save_as, columns=columns, mapping=dict(clean))
        clean["preset"] = save_as.strip()[:60]
    clean["columns"] = columns
    clean["recognised"] = statement_import.mapping.get("recognised", "")
    statement_import.mapping = clean
    statement_import.status = ImportStatus.QUEUED
    statement_import.errors = []
    statement_import.save(update_fields=["mapping", "status", "errors"])
    statement_import_start(statement_import=statement_import)
    statement_import.refresh_from_db()
    return statement_import


def statement_import_start(*, statement_import: StatementImport) -> None:
    if statement_import.total_rows > background_threshold():
        statement_import.background = True
        statement_import.save(update_fields=["background"])
        run_statement_import(statement_import.pk)
    else:
        statement_import_run(import_id=statement_import.pk)


def _place(imp: StatementImport) -> str:
    if imp.source_format == ImportFormat.CSV:
        return imp.mapping.get("place") or "bank"
    return PLACES[imp.source_format]


def statement_import_run(*, import_id: int) -> StatementImport:
    """Validate and post one import (inline or from the worker). Idempotent: rows already in the book are
    skipped, so running it again after an interruption adds only what is missing."""
    imp = StatementImport.objects.select_related("user").get(pk=import_id)
    if imp.status == ImportStatus.DONE:
        return imp
    imp.status, imp.processed_rows = ImportStatus.RUNNING, 0
    imp.save(update_fields=["status", "processed_rows"])
    with imp.file.open("rb") as handle:
        data = handle.read()
    try:
        parsed = parse(data, imp.source_format, imp.mapping, rules=category_rules_load(user=imp.user))
    except StatementError as error:
        return _failed(imp, error.errors)
    user = imp.user
    known = _known_fingerprints(user, [row.fingerprint for row in parsed.rows])
    new_rows = [row for row in parsed.rows if row.fingerprint not in known]
    imp.total_rows = len(parsed.rows) + parsed.skipped
    imp.skipped_count = parsed.skipped + len(parsed.rows) - len(new_rows)
    imp.processed_rows = imp.skipped_count
    imp.save(update_fields=["total_rows", "skipped_count", "processed_rows"])
    place = _place(imp)
    source = imp.source_format
    rates = RateBook({row.currency for row in new_rows})
    accounts: dict = {}

    def account(role: str, name: str, currency: str):
        key = (role, name, currency)
        if key not in accounts:
            maker = {"cash": cash, "income": income_account, "expense": expense_account}[role]
            accounts[key] = maker(user, name, currency)
        return accounts[key]

    def post(rows):
        batch, entries = [], []
        for row in rows:
            amount = row.amount
            if row.kind == EntryKind.INCOME:
                legs = [
                    Leg(account("cash", place, row.currency), amount),
                    Leg(account("income", source, row.currency), -amount),
                ]
                natural = amount
            elif row.kind == EntryKind.EXPENSE:
                legs = [
                    Leg(account("expense", row.category, row.currency), -amount),
                    Leg(account("cash", place, row.currency), amount),
                ]
                natural = -amount
            else:
                legs = [
                    Leg(account("cash", "transit", row.currency), -amount),
                    Leg(account("cash", place, row.currency), amount),
                ]
                natural = -amount
            batch.append(
                {
                    "postings": legs,
                    "idempotency_key": ledger_key(user, "import", row.fingerprint),
                    "kind": chart.TxnKind.BOOKS_IMPORT,
                    "memo": row.description[:255],
                    "reference": f"import:{imp.pk}:row:{row.line}",
                }
            )
            if row.realized_pkr is not None and row.currency != "PKR":
                pkr_minor, rate, basis = _realized(natural, row)
            else:
                pkr_minor, rate = rates.pkr_minor(natural, row.currency, row.occurred_on)
                basis = (
                    PkrBasis.PKR
                    if row.currency == "PKR"
                    else (PkrBasis.REFERENCE if rate is not None else PkrBasis.MISSING)
                )
            entries.append(
                Entry(
                    user=user, kind=row.kind, occurred_on=row.occurred_on, amount_minor=to_minor(natural, row.currency),
                    currency=row.currency, pkr_minor=pkr_minor, pkr_basis=basis, fx_rate=rate, category=row.category,
                    source=source, place=place, client=row.client, description=row.description,
                    fingerprint=row.fingerprint, statement_import=imp,
                )
            )  # fmt: skip
        posted = post_transactions(batch)
        for entry, txn in zip(entries, posted, strict=True):
            entry.transaction_id = txn.pk
        _insert_entries(entries)

    try:
        if not imp.background:
            with transaction.atomic():
                post(new_rows)
            imp.processed_rows = imp.total_rows
        else:
            for start in range(0, len(new_rows), BATCH_SIZE):
                chunk = new_rows[start : start + BATCH_SIZE]
                with transaction.atomic():
                    post(chunk)
                    imp.processed_rows += len(chunk)
                    StatementImport.objects.filter(pk=imp.pk).update(processed_rows=imp.processed_rows)
    except LedgerError as error:
        return _failed(imp, [str(error)])
    imp.created_count = len(new_rows)
    imp.status, imp.finished_at = ImportStatus.DONE, timezone.now()
    imp.save(update_fields=["created_count", "status", "finished_at", "processed_rows"])
    webhooks.import_finished(imp)
    return imp


def _known_fingerprints(user, fingerprints: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(fingerprints), LOOKUP_CHUNK):
        chunk = fingerprints[start : start + LOOKUP_CHUNK]
        known.update(Entry.objects.filter(user=user, fingerprint__in=chunk).values_list("fingerprint", flat=True))
    return known


def _realized(natural: Decimal, row) -> tuple[int, Decimal | None, str]:
    """The PKR the statement says arrived for this row, with the rate it implies (PKR per unit)."""
    pkr = abs(row.realized_pkr) if natural >= 0 else -abs(row.realized_pkr)
    rate = None
    if natural:
        rate = (pkr / natural).quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES), rounding=ROUND_HALF_EVEN)
    return to_minor(pkr, "PKR"), rate, PkrBasis.REALIZED


def _insert_entries(entries: list[Entry]) -> None:
    """Write new book entries. On PostgreSQL with COPY: for 50,000 rows the ORM's per-field preparation in
    bulk_create costs more than the database does."""
    if connection.vendor != "postgresql":
        entries_insert(entries, batch_size=BATCH_SIZE)
        return
    fields = [field for field in Entry._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    files = {field.attname for field in fields if isinstance(field, FileField)}
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {Entry._meta.db_table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for entry in entries:
                copy.write_row(
                    [
                        (getattr(entry, name).name or "") if name in files else getattr(entry, name)
                        for name in (field.attname for field in fields)
                    ]
                )
    month_totals_add(entries)


def _failed(imp: StatementImport, errors: list[str]) -> StatementImport:
    imp.status, imp.errors, imp.finished_at = ImportStatus.FAILED, errors, timezone.now()
    imp.save(update_fields=["status", "errors", "finished_at"])
    webhooks.import_finished(imp)
    return imp
