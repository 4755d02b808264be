"""Huey classes whose periodic jobs run exactly once a scheduled minute, however many consumers run the
scheduler.

Every `run_huey` without `--no-periodic` checks the periodic jobs once a minute and enqueues those due.
Before enqueueing, it claims the job for that minute with an atomic set-if-absent on the queue's own
storage (`SET NX` with an expiry on Redis, an insert that fails on a duplicate key on SQLite); only the
consumer that wins the claim enqueues. A consumer that checks a few seconds later in the same minute sees
the claim and skips. Huey's own `lock_task` would not do: it is released when the job ends, so a second
scheduler's copy would simply run after the first.
"""

from datetime import timedelta

import huey
from huey.storage import RedisStorage, SqliteStorage

CLAIM_PREFIX = "periodic:"
CLAIM_SECONDS = 60 * 60 * 24  # long past any minute a late scheduler could still be checking


def periodic_claim_key(task_name: str, slot: str) -> str:
    # The slot first, so old claims sort before new ones and can be swept by key.
    return f"{CLAIM_PREFIX}{slot}:{task_name}"


class ExactlyOncePeriodicMixin:
    def read_periodic(self, timestamp):
        timestamp = timestamp or self._get_timestamp()
        slot = timestamp.strftime("%Y%m%d%H%M")
        due = super().read_periodic(timestamp)
        claimed = [task for task in due if self.claim_periodic_slot(periodic_claim_key(task.name, slot))]
        if due:
            self.sweep_periodic_claims(timestamp - timedelta(seconds=CLAIM_SECONDS))
        return claimed

    def claim_periodic_slot(self, key: str) -> bool:
        return self.storage.put_if_empty(key, b"1")

    def sweep_periodic_claims(self, before) -> None:
        """Storages without expiry drop claims older than a day here."""


class RedisHuey(ExactlyOncePeriodicMixin, huey.RedisHuey):
    def claim_periodic_slot(self, key: str) -> bool:
        if not isinstance(self.storage, RedisStorage):  # immediate mode keeps everything in memory
            return super().claim_periodic_slot(key)
        return bool(self.storage.conn.set(f"{self.name}.{key}", b"1", nx=True, ex=CLAIM_SECONDS))


class SqliteHuey(ExactlyOncePeriodicMixin, huey.SqliteHuey):
    def sweep_periodic_claims(self, before) -> None:
        if not isinstance(self.storage, SqliteStorage):
            return
        oldest_kept = periodic_claim_key("", before.strftime("%Y%m%d%H%M"))
        with self.storage.db(commit=True) as cursor:
            cursor.execute(
                "delete from kv where queue = ? and key >= ? and key < ?",
                (self.storage.name, CLAIM_PREFIX, oldest_kept),
            )
