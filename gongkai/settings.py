"""The one settings module of gongkai. Every setting that differs between a laptop and production is
read from the environment here, with a safe default for a laptop:

GONGKAI_DATA_DIR       where the embedded SQLite database, the secret key and uploads live (./gongkai-data)
DATABASE_URL           postgresql://user:password@host:port/name for PostgreSQL; default: SQLite in the data dir
GONGKAI_SECRET_KEY     Django secret key; default: generated once and kept in the data dir
GONGKAI_DEBUG          "1" for development error pages (never in production)
GONGKAI_PRODUCTION     "1" behind HTTPS: secure cookies, HSTS, SSL redirect (`gongkai serve` sets it)
GONGKAI_ALLOWED_HOSTS  comma-separated host names (default: localhost, 127.0.0.1)
GONGKAI_UPLOAD_MAX_MB  largest accepted attachment (default 10)
GONGKAI_SESSION_HOURS  staff sessions expire after this many hours (default 8)
GONGKAI_LOGIN_MAX_FAILURES / GONGKAI_LOGIN_LOCK_MINUTES  login lockout (default 5 failures, 15 minutes)
GONGKAI_COUNT_START_DAY  "1": the day of receipt counts as the first working day (default: counting starts
                       the next day; rules.md §2 marks this open)
GONGKAI_FEE_PAUSES_CLOCK "0": the fee payment period does not stop the reply clock (default: it stops;
                       rules.md §2 marks this open)
GONGKAI_ORG_CONTACT_REQUIRED "0": organisations need not name a contact person (default: they must; a derived
                       rule, Art. 29 asks only for 联系方式)
GONGKAI_SMTP_HOST      SMTP server for the e-mails to applicants (none: no e-mail is sent)
GONGKAI_SMTP_PORT / GONGKAI_SMTP_USER / GONGKAI_SMTP_PASSWORD  (port default 25; 465 implies SSL)
GONGKAI_SMTP_TLS       "starttls", "ssl" or "none" (default: ssl on port 465, else none)
GONGKAI_MAIL_FROM      sender address (default: noreply@localhost)
GONGKAI_SITE_URL       the public address of the portal, for links in e-mails (default http://127.0.0.1:8000)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_flag(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("GONGKAI_DATA_DIR", str(Path.cwd() / "gongkai-data"))).resolve()
PRODUCTION = env_flag("GONGKAI_PRODUCTION")
DEBUG = env_flag("GONGKAI_DEBUG") and not PRODUCTION


def _secret_key() -> str:
    if env("GONGKAI_SECRET_KEY"):
        return env("GONGKAI_SECRET_KEY")
    path = DATA_DIR / "secret-key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in env("GONGKAI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]


def database_from_url(url: str) -> dict:
    """DATABASE_URL -> Django DATABASES entry (postgres/postgresql and sqlite URLs)."""
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return _sqlite(DATA_DIR / "gongkai.sqlite3")
    parts = urlparse(url)
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        # sqlite:////absolute/path.sqlite3 or sqlite:///relative/path.sqlite3 (as dj-database-url reads them)
        return _sqlite(Path(unquote(parts.path)[1:]).resolve())
    raise ValueError(f"DATABASE_URL 只支持 postgresql:// 或 sqlite:///，收到的是 {parts.scheme}://")


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets pages read while a clerk writes; IMMEDIATE avoids "database is locked" on upgrade
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
# In the database, so that the rate limit of the public form holds across gunicorn workers and hosts;
# `gongkai demo` / `gongkai serve` create the table (createcachetable).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gongkai_cache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "gongkai.audit",
    "gongkai.agencies",
    "gongkai.approvals",
    "gongkai.cases",
    "gongkai.reports",
    "gongkai.web",
    "gongkai.workbench",
    "gongkai.portal",
    "gongkai.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # under /api/, an error answer is always the API's JSON (gongkai.web.errors)
    "gongkai.web.errors.ApiJsonErrors",
    # static files from the application itself, so `gongkai serve` needs no separate file server
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    # Django's with a Chinese message (its catalogue lacks this one)
    {"NAME": "gongkai.agencies.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workbench:login"
LOGIN_REDIRECT_URL = "workbench:dashboard"
LOGIN_MAX_FAILURES = int(env("GONGKAI_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(env("GONGKAI_LOGIN_LOCK_MINUTES", "15"))
SESSION_COOKIE_AGE = int(env("GONGKAI_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# a form posted from a page open too long (or after logging out elsewhere): a Chinese page saying to reload
CSRF_FAILURE_VIEW = "gongkai.web.errors.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
WHITENOISE_USE_FINDERS = True  # the demo and tests serve the app's static files without collectstatic
MEDIA_ROOT = DATA_DIR / "media"
UPLOAD_MAX_BYTES = int(env("GONGKAI_UPLOAD_MAX_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

COUNT_START_DAY = env_flag("GONGKAI_COUNT_START_DAY")
FEE_PAUSES_CLOCK = env_flag("GONGKAI_FEE_PAUSES_CLOCK", True)
ORG_CONTACT_REQUIRED = env_flag("GONGKAI_ORG_CONTACT_REQUIRED", True)

# --- e-mail to applicants (gongkai.cases.notify) ---
EMAIL_HOST = env("GONGKAI_SMTP_HOST")
MAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_PORT = int(env("GONGKAI_SMTP_PORT", "25"))
EMAIL_HOST_USER = env("GONGKAI_SMTP_USER")
EMAIL_HOST_PASSWORD = env("GONGKAI_SMTP_PASSWORD")
_tls = env("GONGKAI_SMTP_TLS", "ssl" if EMAIL_PORT == 465 else "none").lower()
EMAIL_USE_SSL = _tls == "ssl"
EMAIL_USE_TLS = _tls == "starttls"
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = env("GONGKAI_MAIL_FROM", "noreply@localhost")
SITE_URL = env("GONGKAI_SITE_URL", "http://127.0.0.1:8000")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("GONGKAI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
