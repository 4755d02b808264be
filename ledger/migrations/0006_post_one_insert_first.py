"""ledger_post_one without its first look-up: a replayed key is found by the insert's ON CONFLICT (one index
probe instead of two for every new transaction); a replay refused for funds is recognised by the caller."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_post_one(
    p_book text, p_kind text, p_memo text, p_reference text, p_key text, p_fingerprint text,
    p_reverses bigint, p_fx_rate numeric, p_fx_reference_rate numeric, p_rate_id bigint, p_at timestamptz,
    p_accounts bigint[], p_amounts bigint[], p_currencies text[],
    OUT status text, OUT txn_id bigint, OUT info text
) LANGUAGE plpgsql AS $$
DECLARE
    locked int;
    wanted int;
    short record;
BEGIN
    SELECT count(*) INTO locked FROM (
        SELECT a.id FROM ledger_account a WHERE a.id = ANY(p_accounts) ORDER BY a.id FOR UPDATE
    ) l;
    SELECT count(DISTINCT x) INTO wanted FROM unnest(p_accounts) x;
    IF locked <> wanted THEN
        status := 'unknown';
        RETURN;
    END IF;
    SELECT a.id, s.sign * a.balance_minor - a.held_minor AS available, -s.sign * d.delta AS needed INTO short
    FROM (SELECT x.id, sum(x.m) AS delta FROM unnest(p_accounts, p_amounts) AS x(id, m) GROUP BY x.id) d
    JOIN ledger_account a ON a.id = d.id
    CROSS JOIN LATERAL (SELECT CASE WHEN a.kind IN ('asset', 'expense') THEN 1 ELSE -1 END AS sign) s
    WHERE a.no_negative AND s.sign * d.delta < 0 AND s.sign * (a.balance_minor + d.delta) - a.held_minor < 0
    ORDER BY a.id LIMIT 1;
    IF FOUND THEN
        -- a replay of a key posted before, whose funds have moved on since, is told apart by the caller
        status := 'insufficient';
        txn_id := short.id;
        info := short.available || ' ' || short.needed;
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
    UPDATE ledger_account AS a SET balance_minor = a.balance_minor + d.delta
    FROM (SELECT x.id, sum(x.m) AS delta FROM unnest(p_accounts, p_amounts) AS x(id, m) GROUP BY x.id) d
    WHERE a.id = d.id AND d.delta <> 0;
    status := 'ok';
END;
$$;
"""

PREVIOUS = __import__("ledger.migrations.0004_post_one_function", fromlist=["FUNCTION"]).FUNCTION


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_transaction_lean_indexes")]

    operations = [migrations.RunPython(create, restore)]
