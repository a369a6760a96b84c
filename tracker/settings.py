"""Settings for the Guangming KPI tracker, read from the environment.

Development needs no configuration (DEBUG on, SQLite). With DJANGO_DEBUG=0 the app refuses to
start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS. `.env.example` lists every variable.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-key-not-for-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
elif len(SECRET_KEY) < 50 or not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "With DJANGO_DEBUG=0, set DJANGO_SECRET_KEY (at least 50 characters) "
        "and DJANGO_ALLOWED_HOSTS (comma-separated host names)."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "simple_history",
    "import_export",
    "axes",
    "django_cas_ng",
    "kpis",
    "tasks",
    "plans",
    "identity",
    "reports",
    "api",
    "catalog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kpis.errors.DatabaseUnavailableMiddleware",
    "api.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountControlsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Plain cursors: a server-side cursor (for .iterator(), e.g. a form's choices) costs
    # three round trips for a handful of rows, and breaks behind a transaction pooler.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an official saves; the busy timeout makes concurrent
    # writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Public pages are cached (kpis/caching.py) under a key that includes the data's version, so
# they are never stale. One process: local memory. Several app servers: one Redis for all.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    )
}
PUBLIC_CACHE_SECONDS = int(os.environ.get("KPI_PUBLIC_CACHE_SECONDS", "3600"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator"},
]
# Login protection (django-axes): after KPI_LOGIN_FAILURE_LIMIT wrong passwords for one user
# name from one address, that pair is locked out for KPI_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("KPI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("KPI_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Axes counts passwords only, never the identity platform's answers (identity/lockout.py).
AXES_WHITELIST_CALLABLE = "identity.lockout.is_platform_sign_in"
# Behind nginx the client's address is in X-Forwarded-For: count the proxies in front.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "tracker.proxies.client_ip"

# Officials' sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("KPI_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True


# The level-3 controls (accounts/, docs/security-level3.md): each on by default with
# DJANGO_DEBUG=0, off with DJANGO_DEBUG=1 unless its variable is set. 0 turns a number off.
def env_control(name, production_default):
    value = os.environ.get(name)
    if value is None:
        return 0 if DEBUG else production_default
    return int(value)


# Minutes without a request after which a signed-in session ends.
IDLE_MINUTES = env_control("KPI_IDLE_MINUTES", 30)
# Sessions one account may hold at once; a new sign-in ends the oldest.
MAX_SESSIONS = env_control("KPI_MAX_SESSIONS", 1)
# Days after which a password must be changed before anything else.
PASSWORD_MAX_AGE_DAYS = env_control("KPI_PASSWORD_MAX_AGE_DAYS", 90)
# Groups whose members need a second factor (TOTP or a recovery code); superusers always
# do while the list is not empty.
TWO_FACTOR_ROLES = env_list(
    "KPI_2FA_ROLES",
    "" if DEBUG else "审核,指标管理,领导,系统管理员,安全管理员,审计管理员",
)
# The security log (accounts.AuditRecord): recorded when on; kept at least this many days.
AUDIT_LOG = env_bool("KPI_AUDIT_LOG", not DEBUG)
AUDIT_RETENTION_DAYS = int(os.environ.get("KPI_AUDIT_RETENTION_DAYS", "180"))
if AUDIT_RETENTION_DAYS < 180:
    # Logs of network operations are kept six months at least (网络安全法, article 21).
    raise ImproperlyConfigured("KPI_AUDIT_RETENTION_DAYS must be 180 or more.")
# The OpenID Connect `amr` and `acr` values by which the platform says it asked for a
# second factor (RFC 8176); a platform sign-in without one is asked for TOTP here.
OIDC_SECOND_FACTOR_AMR = env_list("OIDC_SECOND_FACTOR_AMR", "mfa,otp,hwk,sc")
OIDC_SECOND_FACTOR_ACR = env_list("OIDC_SECOND_FACTOR_ACR")
OTP_TOTP_ISSUER = os.environ.get("KPI_2FA_ISSUER", "光明区指标跟踪")
# Nobody, administrators included, reads another person's TOTP key in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Backups (manage.py backup, restore): encrypted with this passphrase or Fernet key, and
# sent to an S3-compatible object store when its endpoint and bucket are set.
BACKUP_KEY = os.environ.get("KPI_BACKUP_KEY", "")
# Without a key, `backup` refuses to write a plain copy unless told --unencrypted.
BACKUP_REQUIRES_KEY = env_bool("KPI_BACKUP_REQUIRE_KEY", not DEBUG)
BACKUP_S3_ENDPOINT = os.environ.get("KPI_BACKUP_S3_ENDPOINT", "")
BACKUP_S3_BUCKET = os.environ.get("KPI_BACKUP_S3_BUCKET", "")
BACKUP_S3_ACCESS_KEY = os.environ.get("KPI_BACKUP_S3_ACCESS_KEY", "")
BACKUP_S3_SECRET_KEY = os.environ.get("KPI_BACKUP_S3_SECRET_KEY", "")
BACKUP_S3_REGION = os.environ.get("KPI_BACKUP_S3_REGION", "us-east-1")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_updates"
LOGOUT_REDIRECT_URL = "progress"

# Sign-in through the government's identity platform (identity/, docs/deploy.md): OpenID
# Connect when OIDC_OP_ISSUER and OIDC_RP_CLIENT_ID are set, CAS when CAS_SERVER_URL is set.
# Either, both or neither; local passwords always stay (axes counts only those).
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")  # exactly as the ID tokens name it
# Explicit endpoints override the issuer's discovery document (identity/oidc.py).
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile")
OIDC_CLAIM_ROLES = os.environ.get("OIDC_CLAIM_ROLES", "roles")
OIDC_CLAIM_DEPARTMENTS = os.environ.get("OIDC_CLAIM_DEPARTMENTS", "dept_codes")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "统一身份认证")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for RP-initiated logout
OIDC_TIMEOUT = 10
OIDC_OP_LOGOUT_URL_METHOD = "identity.oidc.provider_logout_url"
LOGIN_REDIRECT_URL_FAILURE = "sign_in_refused"
CAS_SERVER_URL = os.environ.get("CAS_SERVER_URL", "")
CAS_VERSION = os.environ.get("CAS_VERSION", "3")
CAS_ATTRIBUTE_ROLES = os.environ.get("CAS_ATTRIBUTE_ROLES", "roles")
CAS_ATTRIBUTE_DEPARTMENTS = os.environ.get("CAS_ATTRIBUTE_DEPARTMENTS", "dept_codes")
CAS_PROVIDER_NAME = os.environ.get("CAS_PROVIDER_NAME", "统一身份认证")
CAS_REDIRECT_URL = "/my/"
CAS_ADMIN_REDIRECT = False  # /admin/ keeps its own sign-in page, which offers CAS
# Signing out posts a form whose answer sends the browser on to the platform's logout, so
# the Content-Security-Policy's form-action names the platforms (see below).
PLATFORM_ORIGINS = sorted(
    {
        "{0.scheme}://{0.netloc}".format(urlsplit(url))
        for url in (OIDC_OP_ISSUER, OIDC_OP_LOGOUT_ENDPOINT, CAS_SERVER_URL)
        if url
    }
)
if OIDC_OP_ISSUER and OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("identity.oidc.PlatformOIDCBackend")
if CAS_SERVER_URL:
    AUTHENTICATION_BACKENDS.append("identity.cas.PlatformCASBackend")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DJANGO_TABLES2_TEMPLATE = "kpis/_table.html"
# History pages show old versions; changes go through the forms and the review workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Behind a reverse proxy that terminates HTTPS (docs in README "Deploying").
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every asset comes from the app itself and no page has an inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *PLATFORM_ORIGINS],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # The security log: what kpis, tasks and api say to the "audit" logger is
        # recorded in accounts.AuditRecord (when AUDIT_LOG is on).
        "audit": {"class": "accounts.audit.AuditHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF (the bulletin's) at INFO.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "audit": {"handlers": ["audit"], "level": "INFO", "propagate": False},
    },
}

# Shortfall against the even path, as a share of the distance, that still counts as "at risk".
PROGRESS_TOLERANCE = os.environ.get("KPI_PROGRESS_TOLERANCE", "0.1")
# The day reporting started in the tracker (ISO date): periods that ended before it are to
# back-fill, never late. Unset: the day the database was first migrated.
try:
    REPORTING_STARTS = (
        datetime.date.fromisoformat(os.environ["KPI_REPORTING_STARTS"])
        if os.environ.get("KPI_REPORTING_STARTS")
        else None
    )
except ValueError as error:
    raise ImproperlyConfigured("KPI_REPORTING_STARTS must be a date such as 2026-12-01.") from error

# Spreadsheet import (kpis/resources.py): all or nothing, only for those who may add figures.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The largest file one import takes, in rows and in bytes (a district's template of due
# periods has a few hundred rows; a larger file is split).
IMPORT_MAX_ROWS = int(os.environ.get("KPI_IMPORT_MAX_ROWS", "1000"))
IMPORT_MAX_BYTES = int(os.environ.get("KPI_IMPORT_MAX_BYTES", str(1024 * 1024)))
# What an XLSX may unpack to (kpis/uploads.py): a 1,000-row sheet is well under 1 MiB.
IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("KPI_IMPORT_MAX_UNPACKED_BYTES", str(10 * 1024 * 1024))
)
# Documents given to the extraction page: the file, and what a .docx may unpack to.
EXTRACTION_MAX_BYTES = int(os.environ.get("KPI_EXTRACTION_MAX_BYTES", str(5 * 1024 * 1024)))
EXTRACTION_MAX_UNPACKED_BYTES = int(
    os.environ.get("KPI_EXTRACTION_MAX_UNPACKED_BYTES", str(30 * 1024 * 1024))
)
# Evidence files of figures, milestones and statements (kpis/evidence.py): outside the
# static root, handed out only to those who may see the entry; at most 20 MB each.
KPI_EVIDENCE_ROOT = Path(os.environ.get("KPI_EVIDENCE_ROOT", BASE_DIR / "evidence"))
KPI_EVIDENCE_MAX_BYTES = int(os.environ.get("KPI_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))

# Reminders (manage.py send_reminders): mail goes to the console in development.
SITE_URL = os.environ.get("KPI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Department webhooks may only point at these chat services' group robots, over HTTPS.
WEBHOOK_HOSTS = env_list("KPI_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com")
WEBHOOK_ALLOW_HTTP = False
# The issuing unit printed on the leaders' bulletin (manage.py bulletin), in both languages.
BULLETIN_ISSUER = os.environ.get("KPI_BULLETIN_ISSUER", "光明区人民政府办公室")
BULLETIN_ISSUER_EN = os.environ.get(
    "KPI_BULLETIN_ISSUER_EN", "General Office of the Guangming District People's Government"
)
# The 发文字号's prefix: 光统通〔2026〕3号 (and in English bulletins).
BULLETIN_NUMBER_PREFIX = os.environ.get("KPI_BULLETIN_NUMBER_PREFIX", "光统通")
BULLETIN_NUMBER_PREFIX_EN = os.environ.get("KPI_BULLETIN_NUMBER_PREFIX_EN", "GTT")
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "kpi-tracker@localhost")

# The licence the /data/ page states for the open data files.
OPEN_DATA_LICENCE = os.environ.get("KPI_OPEN_DATA_LICENCE", "CC BY 4.0")
OPEN_DATA_LICENCE_URL = os.environ.get(
    "KPI_OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
)

# The write API for departments' systems (docs/api.md): requests per token and period
# ("120/min", "10/s", "5000/day"), and the largest body it reads.
API_RATE = os.environ.get("KPI_API_RATE", "120/min")
API_MAX_BODY_BYTES = 1024 * 1024

# Origins (scheme, host and port) that may frame the embeddable indicator cards
# (/embed/indicators/<code>/), e.g. the district portal; every other page is never framed.
EMBED_ORIGINS = env_list("KPI_EMBED_ORIGINS")
