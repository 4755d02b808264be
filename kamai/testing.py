"""Helpers for tests only."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2 (hashes start with 'argon2'), with tiny costs so the suite runs fast."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
