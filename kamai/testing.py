"""Helpers for tests only."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2 (hashes start with 'argon2'), with tiny costs so the suite runs fast."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1


def run_concurrently(n: int, action, *, expected=Exception) -> list[str]:
    """Run action(i) in n real threads released together by a barrier; return each outcome: "ok", the class
    name of an `expected` (domain) error, or the repr of anything else. Each thread closes its connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i):
        try:
            barrier.wait()
            action(i)
            outcomes.append("ok")
        except expected as error:
            outcomes.append(type(error).__name__)
        except Exception as error:  # noqa: BLE001 - any other failure is reported by the caller's assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
