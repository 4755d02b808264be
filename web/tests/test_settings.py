import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "production-like-secret-key-for-the-deploy-check",
    "ALLOWED_HOSTS": "kamai.example",
}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_are_strict():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.KAMAI_EMAIL_DELIVERY_BACKEND, s.PASSWORD_HASHERS[0])",
        env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "False",
        "True",
        "True",
        "django.core.mail.backends.smtp.EmailBackend",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def test_trusted_proxy_count_comes_from_the_environment_and_defaults_to_none():
    code = (
        "from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    behind = _manage("shell", "-c", code, env={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "1"})
    direct = _manage("shell", "-c", code, env={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": ""})
    assert behind.stdout.strip().splitlines()[-1] == "1 1", behind.stderr
    assert direct.stdout.strip().splitlines()[-1] == "0 0", direct.stderr


def test_production_keeps_database_connections_and_checks_them():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d.get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://kamai:kamai@127.0.0.1:5432/kamai", "DB_CONN_MAX_AGE": ""}
    kept = _manage("shell", "-c", code, env=env)
    assert kept.stdout.strip().splitlines()[-1] == "60 True False", kept.stderr
    tuned = _manage("shell", "-c", code, env={**env, "DB_CONN_MAX_AGE": "300"})
    assert tuned.stdout.strip().splitlines()[-1] == "300 True False", tuned.stderr


def test_behind_pgbouncer_server_side_cursors_are_off():
    code = "from django.conf import settings as s; print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'))"
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://kamai:kamai@127.0.0.1:6432/kamai", "DB_PGBOUNCER": "1"}
    result = _manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


def test_the_escrow_bank_iban_passes_kamais_own_iban_check():
    from django.conf import settings

    from common.iban import validate_pk_iban

    assert validate_pk_iban(settings.KAMAI_BANK_DETAILS["iban"]) == settings.KAMAI_BANK_DETAILS["iban"]


def test_s3_bucket_and_secret_key_fallbacks_come_from_the_environment():
    script = (
        "from django.conf import settings; from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, s.querystring_auth, "
        "s.file_overwrite, '|'.join(settings.SECRET_KEY_FALLBACKS))"
    )
    env = {"S3_BUCKET": "kamai-files", "S3_ENDPOINT_URL": "http://127.0.0.1:9", "S3_REGION": "eu-central-1",
           "SECRET_KEY_FALLBACKS": "old-key-1, old-key-2,"}  # fmt: skip
    result = _manage("shell", "-v", "0", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage", "kamai-files", "http://127.0.0.1:9", "private", "True", "False", "old-key-1|old-key-2"
    ]  # fmt: skip
    local_script = "from django.core.files.storage import storages; print(type(storages['default']).__name__)"
    local = _manage("shell", "-v", "0", "-c", local_script, env={"S3_BUCKET": ""})
    assert local.stdout.split()[0] == "FileSystemStorage", local.stderr
