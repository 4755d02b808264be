"""Kamai settings. Everything that differs between machines comes from the environment.

Development needs nothing set: SQLite under var/, Huey on SQLite, mail printed to the console.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and the EMAIL_* values, and S3_* for
uploads in a bucket (docs/OPERATIONS.md lists them all).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kamai.storage import LOCAL_STORAGE, s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KAMAI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development: generate once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Old keys, newest first, still accepted for signatures (sessions, password resets) while they age out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# Absolute links in e-mails (the worker has no request to build them from).
KAMAI_SITE_URL = os.environ.get("KAMAI_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Our apps come before allauth so our templates override its layouts.
    "web",
    "accounts",
    "ledger",
    "marketplace",
    "messaging",
    "contracts",
    "payouts",
    "invoicing",
    "books",
    "tax",
    "insights",
    "api",
    "webhooks",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "huey.contrib.djhuey",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First, so every log line carries the request id and the time counted is the whole response's.
    "kamai.logs.RequestIdMiddleware",
    "kamai.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.freshness.FreshPartsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.mfa.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "kamai.urls"
WSGI_APPLICATION = "kamai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
                "web.context_processors.csp_nonce",
                "messaging.context_processors.unread",
                "common.fragments.csrf_placeholder",  # last: a kept page's forms carry a placeholder token
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Production keeps each web process's connection open (a new PostgreSQL connection costs more than most
# pages) and checks it before reuse, so a restarted database costs one failed check, not a 500.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kamai.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE") or ("0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode consecutive queries may run on different server connections, so a
# named cursor opened by .iterator() could vanish between fetches: turn server-side cursors off. The ledger
# also reads DB_PGBOUNCER: it prepares its one hot statement server-side only on a direct connection.
DB_PGBOUNCER = env_bool("DB_PGBOUNCER", False)
if DB_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
SERIAL_QUERIES = env_bool("DB_SERIAL_QUERIES", not DB_PGBOUNCER)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and SERIAL_QUERIES:
    # Web requests run short queries side by side: a parallel plan's workers take a few milliseconds to start
    # and compete with the other requests for the same cores, and JIT compiles for tens of milliseconds to save
    # fewer. Off per connection (PgBouncer rejects startup options: set them on the role there instead).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c max_parallel_workers_per_gather=0 -c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions + WAL serialise writers safely (SQLite ignores SELECT ... FOR UPDATE).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, used by login rate limiting; Redis when available so limits hold across processes --
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "kamai.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database (a signed-in page no longer reads the table).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Shared by every process on the machine (site and worker), so a change one makes renews the cached page
    # parts the other serves (common.fragments); production uses Redis.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}  # fmt: skip

# --- Background jobs ------------------------------------------------------------------------
HUEY = {
    "name": "kamai",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "kamai.scheduler.RedisHuey", "connection": {"url": REDIS_URL}})
else:
    HUEY.update({"huey_class": "kamai.scheduler.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupHatForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kamai] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# How many proxies we run in front of the web processes (1 behind the load balancer). Rate limits then key
# on the address the outermost of them saw, read from X-Forwarded-For; with 0 the header is ignored, since a
# client can write anything there.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kamai"

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ur", _("Urdu"))]
# Our own strings first, then our Urdu for the allauth pages (allauth ships no Urdu catalogue).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
USE_I18N = True
TIME_ZONE = "Asia/Karachi"
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Uploads go to a private S3-compatible bucket when S3_BUCKET is set, to MEDIA_ROOT otherwise (kamai/storage.py).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
STORAGES = {
    "default": s3_storage(
        bucket_name=S3_BUCKET,
        endpoint_url=os.environ.get("S3_ENDPOINT_URL"),
        region_name=os.environ.get("S3_REGION"),
        access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        addressing_style=os.environ.get("S3_ADDRESSING_STYLE"),
    )
    if S3_BUCKET
    else LOCAL_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media")))
KAMAI_MAX_IMAGE_BYTES = int(os.environ.get("KAMAI_MAX_IMAGE_BYTES", str(5 * 1024 * 1024)))
KAMAI_MAX_IMAGE_PIXELS = 40_000_000
KAMAI_IMAGE_MAX_SIDE = 1600
KAMAI_THUMBNAIL_SIDE = 400
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Statements with more rows than this are imported by the worker, batch by batch (books/imports.py).
BOOKS_IMPORT_BACKGROUND_ROWS = int(os.environ.get("BOOKS_IMPORT_BACKGROUND_ROWS") or "2000")

# --- E-mail: every message goes through the Huey worker ----------------------------------------
EMAIL_BACKEND = "kamai.mail.QueuedEmailBackend"
KAMAI_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "EMAIL_DELIVERY_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kamai <no-reply@kamai.pk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Contracts and payments -------------------------------------------------------------------
KAMAI_PLATFORM_FEE_BP = int(os.environ.get("KAMAI_PLATFORM_FEE_BP", "500"))  # 5% of each release
KAMAI_DEFAULT_PENALTY_BP_PER_WEEK = 100  # 1% a week late
KAMAI_DEFAULT_PENALTY_CAP_BP = 1000  # at most 10%
# Days after an hourly week's Sunday for the client to approve or dispute it; then it is billed automatically.
KAMAI_HOURLY_REVIEW_DAYS = int(os.environ.get("KAMAI_HOURLY_REVIEW_DAYS", "5"))
# The sandbox provider moves pretend money instantly: never in production.
KAMAI_ALLOW_SANDBOX_PAYMENTS = env_bool("KAMAI_ALLOW_SANDBOX_PAYMENTS", DEBUG)
KAMAI_BANK_DETAILS = {
    "bank": os.environ.get("KAMAI_BANK_NAME", "Kamai Escrow Account, Meezan Bank, Lahore"),
    "account_name": os.environ.get("KAMAI_BANK_ACCOUNT_NAME", "Kamai (Private) Limited — Client Escrow"),
    "iban": os.environ.get("KAMAI_BANK_IBAN", "PK55MEZN0001110100456789"),
    "swift": os.environ.get("KAMAI_BANK_SWIFT", "MEZNPKKA"),
}
KAMAI_MIN_WITHDRAWAL = {"USD": "10", "EUR": "10", "GBP": "10", "AED": "40", "PKR": "2500"}
# Staff must say why when the PKR a bank credits is further than this from the expected payout (basis points).
KAMAI_PAYOUT_TOLERANCE_BP = int(os.environ.get("KAMAI_PAYOUT_TOLERANCE_BP", "200"))

# --- Webhooks: https only; plain http to this machine only in development (or tests) ---------------------------
KAMAI_WEBHOOKS_ALLOW_HTTP = env_bool("KAMAI_WEBHOOKS_ALLOW_HTTP", False)
# Wait before the 2nd, 3rd, ... attempt; one more attempt than there are waits (6 in all).
KAMAI_WEBHOOK_BACKOFF_SECONDS = [30, 120, 600, 3600, 6 * 3600]

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Per-user limits (common/throttles.py), counted in the cache: windows of <count>/<period> ------------
KAMAI_THROTTLES = {
    "message": "20/m,300/h",
    "proposal": "10/h,40/d",
    "job_post": "10/h,30/d",
    "invitation": "30/h,100/d",  # invitations to jobs and contracts sent by e-mail
    "api": "120/m,3000/h",
    "api_anon": "30/m,600/h",  # per client address (TRUSTED_PROXY_COUNT)
}

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScopeAllows",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NewestFirst",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PerUserThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kamai API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every currency field offers the same ISO codes: one enum in the schema, not one per field.
    "ENUM_NAME_OVERRIDES": {
        "CurrencyEnum": "ledger.money.CURRENCY_CHOICES",
        "ExpenseCategoryEnum": "books.models.ExpenseCategory",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.problems.document_problems",
        "api.links.document_links",
    ],
}

# --- Observability (docs/OPERATIONS.md, "Observability") ---------------------------------------------
# /metrics answers a scraper sending "Authorization: Bearer <METRICS_TOKEN>" (and staff with two factors).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kamai.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "kamai.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
if LOG_FORMAT == "json":
    # The worker's lines go only to the console handler above, as JSON: run_huey adds a handler of its own, in
    # its own format, to a "huey" logger that has none.
    LOGGING["handlers"]["none"] = {"class": "logging.NullHandler"}
    LOGGING["loggers"]["huey"] = {"handlers": ["none"]}

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from kamai.errors import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or "0"),  # float-ok: a share of requests
    )
