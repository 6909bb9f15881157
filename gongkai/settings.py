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
GONGKAI_TRUSTED_PROXIES  comma-separated addresses or networks (CIDR) of our own reverse proxies, e.g.
                       "127.0.0.1" for nginx on the same host or "10.0.0.0/24" for a load balancer net.
                       Only a request arriving from one of them has its X-Forwarded-For read, from the
                       right, skipping trusted proxies, to find the client (gongkai.web.client.client_ip):
                       the address every rate limit, login lock and audit event uses. Default empty:
                       trust nobody, the client is REMOTE_ADDR (behind a proxy that is the proxy itself,
                       so all clients would share one limit: set this when running behind nginx).
GONGKAI_FORWARDED_ALLOW_IPS  the addresses gunicorn (`gongkai serve`) takes X-Forwarded-Proto from
                       (single addresses only; default: the single addresses of GONGKAI_TRUSTED_PROXIES,
                       else 127.0.0.1)
Login protection (gongkai.agencies.login_guard; the same for the workbench and the admin login):
GONGKAI_LOGIN_MAX_FAILURES / GONGKAI_LOGIN_LOCK_MINUTES  one user name from one client address is locked
                       after this many failures within that many minutes, until that many minutes have
                       passed (default 5 failures, 15 minutes); the same window counts the failures of a
                       user name for the delay below
GONGKAI_LOGIN_ADDRESS_MAX_FAILURES / GONGKAI_LOGIN_ADDRESS_LOCK_MINUTES  one client address is refused,
                       whatever the user name, after this many failures within that many minutes, for that
                       many minutes (default 20 failures, 15 minutes)
GONGKAI_LOGIN_DELAY_AFTER / GONGKAI_LOGIN_DELAY_SECONDS / GONGKAI_LOGIN_DELAY_MAX_SECONDS  a user name
                       with this many failures from anywhere is never locked, only slowed: each further
                       attempt must come at least DELAY_SECONDS after its last failure, doubling with each
                       further failure, at most DELAY_MAX_SECONDS (default 5, 2 s, 60 s)
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
GONGKAI_DATA_KEY       the key that encrypts applicants' ID numbers, phones, attachments and letters (Base64 of
                       32 bytes; `gongkai keys new` prints one). Required in production; a laptop or the demo
                       gets one generated into the data dir (file data-key, owner-only). Never in a backup.
GONGKAI_DATA_KEYS_OLD  older keys, comma-separated, still read while `gongkai keys rotate` re-encrypts
GONGKAI_CIPHER         aes-256-gcm (default) or sm4-gcm (商用密码) for newly written data
The catalog (gongkai.catalog):
GONGKAI_INDEX_NUMBER_FORMAT  the 索引号 form new items get: placeholders {code} (the agency's 索引号机构代码, else
                       the organisation code inside its credit code), {year}, {month}, {serial} (default
                       "{code}/{year}-{serial:05d}", the national 组织机构代码/YYYY-NNNNN)
GONGKAI_SENSITIVE_WORDS  comma-separated words the pre-submission scan warns about (default none)
GONGKAI_SITE_NAME / GONGKAI_SITE_ID_CODE  the site's name and 网站标识码 for the 47号 page meta tags

Files: the process creates everything owner-only (umask 077): the data dir, the SQLite database with its
WAL and SHM files, uploads, keys and backups.
"""

from __future__ import annotations

import ipaddress
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
# Personal data lives in the data dir: whatever this process creates is readable by its owner only.
os.umask(0o077)
if DATA_DIR.is_dir():
    DATA_DIR.chmod(0o700)
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


def trusted_proxies(value: str) -> list[str]:
    """GONGKAI_TRUSTED_PROXIES -> the networks as text; a wrong entry stops the start (a silent typo would
    make every client share the proxy's limits, or trust a header anyone can set)."""
    networks = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ValueError(
                f"GONGKAI_TRUSTED_PROXIES：{entry!r} 不是 IP 地址或网段（例如 127.0.0.1 或 10.0.0.0/24）"
            ) from None
    return networks


TRUSTED_PROXIES = trusted_proxies(env("GONGKAI_TRUSTED_PROXIES"))
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
        # a connection kept by each worker: closing the last one checkpoints the WAL, ~13 ms a request
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # made before the umask above, by an older version
    for _suffix in ("", "-wal", "-shm"):
        _file = Path(DATABASES["default"]["NAME"] + _suffix)
        if _file.exists() and _file.stat().st_mode & 0o077:
            _file.chmod(0o600)

# --- personal data at rest (gongkai.privacy) ---
DATA_KEY = env("GONGKAI_DATA_KEY")
DATA_KEYS_OLD = [k.strip() for k in env("GONGKAI_DATA_KEYS_OLD").split(",") if k.strip()]
DATA_CIPHER = env("GONGKAI_CIPHER", "aes-256-gcm").lower()
# Django's cache, in the database so that it is shared by gunicorn workers and hosts; `gongkai demo` /
# `gongkai serve` create the table (createcachetable). The limits per client do not use it: the cache's
# incr() is a read and a write, not atomic; they count in gongkai.web.ratelimit.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "gongkai_cache"},
    # parts of public pages that may be a minute old (the portal's list of agencies), per process
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongkai-pages"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Background work: a queue in the platform's own database, run by `gongkai worker` (gongkai.tasks).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "gongkai.tasks",
    "gongkai.privacy",
    "gongkai.audit",
    "gongkai.agencies",
    "gongkai.approvals",
    "gongkai.cases",
    "gongkai.catalog",
    "gongkai.reports",
    "gongkai.web",
    "gongkai.workbench",
    "gongkai.portal",
    "gongkai.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # outermost but one, so that error responses of the middlewares below carry the policy too
    "csp.middleware.CSPMiddleware",
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

# Wherever a password is set (the admin's user pages, `createsuperuser`); gongkai.agencies.passwords wraps
# the two of Django's whose messages are not (well) translated to Chinese.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gongkai.agencies.passwords.UserAttributeSimilarityValidator"},
    # Django's with a Chinese message (its catalogue lacks this one)
    {"NAME": "gongkai.agencies.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workbench:login"
LOGIN_REDIRECT_URL = "workbench:dashboard"
LOGIN_MAX_FAILURES = int(env("GONGKAI_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(env("GONGKAI_LOGIN_LOCK_MINUTES", "15"))
LOGIN_ADDRESS_MAX_FAILURES = int(env("GONGKAI_LOGIN_ADDRESS_MAX_FAILURES", "20"))
LOGIN_ADDRESS_LOCK_MINUTES = int(env("GONGKAI_LOGIN_ADDRESS_LOCK_MINUTES", "15"))
LOGIN_DELAY_AFTER = int(env("GONGKAI_LOGIN_DELAY_AFTER", "5"))
LOGIN_DELAY_SECONDS = int(env("GONGKAI_LOGIN_DELAY_SECONDS", "2"))
LOGIN_DELAY_MAX_SECONDS = int(env("GONGKAI_LOGIN_DELAY_MAX_SECONDS", "60"))
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
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
UPLOAD_MAX_BYTES = int(env("GONGKAI_UPLOAD_MAX_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

INDEX_NUMBER_FORMAT = env("GONGKAI_INDEX_NUMBER_FORMAT", "{code}/{year}-{serial:05d}")
SENSITIVE_WORDS = tuple(w.strip() for w in env("GONGKAI_SENSITIVE_WORDS").split(",") if w.strip())
SITE_NAME = env("GONGKAI_SITE_NAME", "政府信息公开平台")
SITE_ID_CODE = env("GONGKAI_SITE_ID_CODE")

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

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images only from this
# site, no inline script, no plugins, no framing. Inline style attributes stay allowed (the templates and
# ECharts set them); inline <style> elements do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

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
    # the task worker's own English notices (start, graceful shutdown); gongkai worker prints its own
    "loggers": {"django_tasks_db": {"level": "ERROR"}},
}
