"""ledger_post_one finding each account row once instead of three times: the locking query also reads what the
funds check needs (it returns the locked, latest version), and the balances are updated at the locked rows'
addresses (ctid; no other writer can move a row this transaction holds locked). Each look-up by id walks the
row's index entries and versions, and while any transaction on the server stays open those cannot be cleaned
up, so for a busy account every look-up grew longer as a run went on (DECISIONS 34)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_post_one(
    p_book text, p_kind text, p_memo text, p_reference text, p_key text, p_fingerprint text,
    p_reverses bigint, p_fx_rate numeric, p_fx_reference_rate numeric, p_rate_id bigint, p_at timestamptz,
    p_accounts bigint[], p_amounts bigint[], p_currencies text[],
    OUT status text, OUT txn_id bigint, OUT info text
) LANGUAGE plpgsql AS $$
DECLARE
    locked int := 0;
    wanted int;
    moved int;
    r record;
    tids tid[] := '{}';
    deltas bigint[] := '{}';
BEGIN
    SELECT count(DISTINCT x) INTO wanted FROM unnest(p_accounts) x;
    -- Locks are taken in ascending id order (the row locks are taken after the sort), and each row comes back
    -- as its latest version once locked: what the funds check reads and where the balance is written.
    FOR r IN
        SELECT a.ctid AS tid, a.id, d.delta, a.no_negative, a.balance_minor, a.held_minor,
               CASE WHEN a.kind IN ('asset', 'expense') THEN 1 ELSE -1 END AS sign
        FROM ledger_account a
        JOIN (SELECT x.id, sum(x.m)::bigint AS delta FROM unnest(p_accounts, p_amounts) AS x(id, m) GROUP BY x.id) d
          ON d.id = a.id
        ORDER BY a.id
        FOR UPDATE OF a
    LOOP
        locked := locked + 1;
        IF status IS NULL AND r.no_negative AND r.sign * r.delta < 0
           AND r.sign * (r.balance_minor + r.delta) - r.held_minor < 0 THEN
            -- the lowest-id account short of funds; a replay whose funds moved on is told apart by the caller
            status := 'insufficient';
            txn_id := r.id;
            info := (r.sign * r.balance_minor - r.held_minor) || ' ' || (-r.sign * r.delta);
        END IF;
        IF r.delta <> 0 THEN
            tids := tids || r.tid;
            deltas := deltas || r.delta;
        END IF;
    END LOOP;
    IF locked <> wanted THEN
        status := 'unknown';
        txn_id := NULL;
        info := NULL;
        RETURN;
    END IF;
    IF status IS NOT NULL THEN
        RETURN;
    END IF;
    INSERT INTO ledger_transaction (book, kind, memo, reference, idempotency_key, fingerprint, reverses_id,
                                    fx_rate, fx_reference_rate, exchange_rate_id, created_at)
    VALUES (p_book, p_kind, p_memo, p_reference, p_key, p_fingerprint, p_reverses, p_fx_rate,
            p_fx_reference_rate, p_rate_id, p_at)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO txn_id;
    IF txn_id IS NULL THEN
        -- posted before, or by a concurrent caller that committed while this one waited
        SELECT t.id, t.fingerprint INTO txn_id, info FROM ledger_transaction t WHERE t.idempotency_key = p_key;
        status := 'replay';
        RETURN;
    END IF;
    INSERT INTO ledger_posting (transaction_id, account_id, amount_minor, currency, posted_at)
    SELECT txn_id, x.a, x.m, x.c, p_at
    FROM unnest(p_accounts, p_amounts, p_currencies) WITH ORDINALITY AS x(a, m, c, n) ORDER BY x.n;
    UPDATE ledger_account AS a SET balance_minor = a.balance_minor + v.d
    FROM unnest(tids, deltas) AS v(t, d) WHERE a.ctid = v.t;
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved <> cardinality(tids) THEN
        -- cannot happen while the rows are locked; refuse rather than leave a balance behind its postings
        RAISE EXCEPTION 'ledger_post_one: % of % locked accounts updated', moved, cardinality(tids);
    END IF;
    status := 'ok';
END;
$$;
"""

PREVIOUS = __import__("ledger.migrations.0006_post_one_insert_first", fromlist=["FUNCTION"]).FUNCTION


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_account_fillfactor")]

    operations = [migrations.RunPython(create, restore)]
