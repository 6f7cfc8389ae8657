"""Django settings for Yizhan, read from the environment.

Development defaults are safe to run on a laptop (SQLite, local memory cache).
`YIZHAN_ENV=production` turns on production mode, which refuses to start with
unsafe settings (see `_refuse_unsafe_production`).
"""

import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = os.environ.get("YIZHAN_ENV", "development") == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "yizhan.core.apps_admin.YizhanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "treebeard",
    "ninja",
    "corsheaders",
    # Accounts security (issue 5 §1): second factor (TOTP, recovery codes) and login lockout.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Background jobs (issue 18 §1, core/jobs): Django's Tasks API, its database backend (the
    # embedded default) and RQ on Redis (django_rq: the RQ backend's queues and `rqworker`).
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "yizhan.core",
    "yizhan.orgs",
    "yizhan.positions",
    "yizhan.finder",
    "yizhan.ledger",
    "yizhan.coverage",
    "yizhan.publishing",
    "yizhan.standards",
    "yizhan.inspections",
    "yizhan.grants",
    "yizhan.campaigns",
    "yizhan.projects",
    "yizhan.centres",
    "yizhan.targets",
    "yizhan.reports",
]

MIDDLEWARE = [
    # First, so every log line of a request carries its id (X-Request-ID, yizhan/core/logs.py).
    "yizhan.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every answer, early responses included
    # (CORS preflights, static files, errors); the policies are in the Security section below.
    "yizhan.core.middleware_security.ContentSecurityPolicyMiddleware",
    "yizhan.core.middleware_security.PermissionsPolicyMiddleware",
    # Compresses every answer, static files from WhiteNoise below included (the public page's first
    # load falls from ~510 KB to ~150 KB, bench/finder_page.py); Django pads compressed answers with
    # random bytes against BREACH-style attacks ("Heal The Breach").
    "django.middleware.gzip.GZipMiddleware",
    # CORS answers only under /api/v1/public/ (CORS_URLS_REGEX), before anything else answers.
    "corsheaders.middleware.CorsMiddleware",
    "yizhan.core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yizhan.core.middleware.ActorMiddleware",
    # Session time limits, the second factor and forced password changes (orgs/accounts/middleware.py).
    "yizhan.orgs.accounts.middleware.AccountSecurityMiddleware",
    "yizhan.core.middleware_errors.ApplicationErrorMiddleware",
    # Last, as django-axes requires: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yizhan.urls"
WSGI_APPLICATION = "yizhan.wsgi.application"
ASGI_APPLICATION = "yizhan.asgi.application"

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
                "yizhan.core.context_processors.actor",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test ; default SQLite file.
DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'yizhan.sqlite3'}"
# CONN_MAX_AGE: seconds a connection is reused (0 closes it after each request; the test run uses 0 so
# live-server threads leave no session behind on PostgreSQL). SQLite reuses them too: opening one
# (with its PRAGMAs) cost ~1.5 ms, more than a public nearby answer (bench/finder_http.py).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
}
SQLITE_ENGINE = "yizhan.core.db_sqlite"  # Django's SQLite backend + planner statistics (its docstring)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
    # IMMEDIATE transactions serialise writers up front, so the audit hash chain never forks
    # and concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests on SQLite use an in-memory database, said explicitly: pytest-django recognises SQLite by
    # Django's engine name only, and for any other engine (ours) names each xdist worker's test
    # database test_<NAME>_gw0, a file path that cannot be opened ("unable to open database file").
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (issue 18 §1, yizhan/core/jobs, decisions.md §22) ---------------------------
# Django's Tasks API (django-tasks). Without REDIS_URL the queue is a table of the database and
# `yizhan jobs-worker` (which `make run` starts) takes jobs from it; with REDIS_URL, RQ on Redis,
# so workers can run on several machines. YIZHAN_JOBS_BACKEND=database|rq chooses explicitly.
YIZHAN_JOBS_BACKEND = os.environ.get("YIZHAN_JOBS_BACKEND", "rq" if REDIS_URL else "database")
YIZHAN_JOBS_QUEUE = os.environ.get("YIZHAN_JOBS_QUEUE", "default")
# Seconds between a running job's heartbeats (each also writes its latest progress), and seconds
# without one after which the job counts as lost (its worker killed) and is failed with the reason.
YIZHAN_JOBS_HEARTBEAT_SECONDS = float(os.environ.get("YIZHAN_JOBS_HEARTBEAT_SECONDS", "1"))
YIZHAN_JOBS_STALE_SECONDS = int(os.environ.get("YIZHAN_JOBS_STALE_SECONDS", "60"))
if YIZHAN_JOBS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("YIZHAN_JOBS_BACKEND=rq needs REDIS_URL")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [YIZHAN_JOBS_QUEUE]}}
    # RQ stops a job after DEFAULT_TIMEOUT seconds; a coverage run of a province may take hours.
    RQ_QUEUES = {
        YIZHAN_JOBS_QUEUE: {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": int(os.environ.get("YIZHAN_JOBS_TIMEOUT_SECONDS", str(12 * 3600))),
        }
    }
elif YIZHAN_JOBS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [YIZHAN_JOBS_QUEUE]}}
    RQ_QUEUES = {}
else:
    raise ImproperlyConfigured("YIZHAN_JOBS_BACKEND must be 'database' or 'rq'")

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Every path that sets a password runs these (account opening, change, reset; issue 5 §1).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Complexity: at least `min_length` characters (12: OWASP ASVS 4.0 L2 2.1.1, issue 13) and
    # `min_classes` of the four classes (upper case, lower case, digit, symbol). An account whose
    # password falls short of these rules must change it at its next login (orgs/accounts/passwords.py).
    {"NAME": "yizhan.orgs.accounts.passwords.ComplexityValidator", "OPTIONS": {"min_length": 12, "min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # History: none of the account's last `remember` passwords (the current one included).
    {"NAME": "yizhan.orgs.accounts.passwords.HistoryValidator", "OPTIONS": {"remember": 5}},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (django-axes): 5 failed logins within 15 minutes lock that account, and separately that
# client address, for 15 minutes from the lockout (further tries do not extend it). The address is
# the audit log's (YIZHAN_TRUSTED_PROXY_COUNT). Answer: 429 with the Chinese lockout page.
AXES_FAILURE_LIMIT = int(os.environ.get("YIZHAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YIZHAN_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "yizhan.core.request_info.remote_addr"
AXES_LOCKOUT_CALLABLE = "yizhan.orgs.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Off: axes would clear every failure from the address, other accounts' too (issue 13 item 1);
# orgs/accounts/lockout.py clears only the signed-in account's own failures.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit log already
AXES_ENABLE_ADMIN = False  # the Django admin shows scoped business data only
# Sessions end after YIZHAN_SESSION_IDLE_MINUTES without a request and YIZHAN_SESSION_MAX_HOURS
# after the login, whatever happens (orgs/accounts/session_limits.py); the cookie lives no longer.
YIZHAN_SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("YIZHAN_SESSION_IDLE_MINUTES", "30")))
YIZHAN_SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("YIZHAN_SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = int(YIZHAN_SESSION_MAX_AGE.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Second factor (TOTP, django-otp) for the roles that hold power over the whole system or its
# accounts and logs (orgs/accounts/twofactor.py TWO_FACTOR_ROLES). On by default everywhere, the demo
# included (its accounts share YIZHAN_DEMO_TOTP_SECRET); YIZHAN_REQUIRE_2FA=0 turns it off knowingly.
YIZHAN_REQUIRE_2FA = env_bool("YIZHAN_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "驿站"
# Base32 secret of the demo accounts' authenticator (`yizhan demo`), public like the demo password.
YIZHAN_DEMO_TOTP_SECRET = os.environ.get("YIZHAN_DEMO_TOTP_SECRET", "PFUXU2DBNZSGK3LPORXXI4DTMVRXEZLU")

# --- Internationalisation: Simplified Chinese first, English available -----
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: everything served locally (no CDN on a government intranet) ---
STATIC_URL = "static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",  # yizhan/static is the project's own (yizhan is not an installed app)
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
# Served by WhiteNoise from the finders too, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
MEDIA_URL = "/media/"
# Uploads are private (decision 36): the default storage gives MEDIA_URL only to the files of the
# fields listed in YIZHAN_PUBLIC_UPLOADS, every other file a URL under /files/ that serves it only to
# signed-in staff who may view the record holding it (yizhan/core/media.py).
STORAGES = {
    "default": {"BACKEND": "yizhan.core.media.UploadStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Field → relation: a file of the field is public while the record it belongs to through the relation
# is in that model's `.public()` (a station's photos while the station is on the public map, spec §2).
YIZHAN_PUBLIC_UPLOADS = {"positions.positionphoto.image": "position"}
# Serve the public uploads at MEDIA_URL from Django (development and installs without a web server
# in front; a web server may serve MEDIA_ROOT/positions/photos/ itself, and nothing else of it).
YIZHAN_SERVE_MEDIA = env_bool("YIZHAN_SERVE_MEDIA", not PRODUCTION)
# With nginx in front: an internal location aliasing MEDIA_ROOT (e.g. /protected-media/); Django
# checks who may fetch a file and nginx sends it (X-Accel-Redirect). Empty: Django streams it.
YIZHAN_MEDIA_ACCEL_REDIRECT = os.environ.get("YIZHAN_MEDIA_ACCEL_REDIRECT", "")

# --- Security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Strict Content-Security-Policy (django-csp 4): scripts and styles only from this site's own files,
# so no inline <script>, on*= handler, style= attribute, <style> block, eval or javascript: URL runs
# (templates keep data in data-* attributes and json_script blocks; static/yizhan/js reads them).
# img-src also gets the map tile server's origin, derived per answer from YIZHAN_MAP_TILES /
# YIZHAN_MAP_TILE_URL (core/middleware_security.py). With DEBUG on (development only), django-csp
# leaves 404 and 500 answers without the header so Django's technical error pages still render.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for the icons in the API docs' (Swagger UI) stylesheet
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Browser features the pages may use: only the public finder's "use my location"; nothing else.
YIZHAN_PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "midi": [],
    "display-capture": [],
    "browsing-topics": [],
}
# Number of reverse proxies in front of the app whose X-Forwarded-For we trust (0 = use REMOTE_ADDR).
YIZHAN_TRUSTED_PROXY_COUNT = int(os.environ.get("YIZHAN_TRUSTED_PROXY_COUNT", "0"))
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload flag only matters once someone submits the registrable domain (served at its apex)
    # to the browsers' list; includeSubDomains already binds the subdomains. SECURE_HSTS_PRELOAD=0
    # for an apex domain that must keep plain-HTTP subdomains.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if YIZHAN_TRUSTED_PROXY_COUNT else None


def _refuse_unsafe_production() -> None:
    """Production mode must not start with a development secret, DEBUG, open hosts, SQLite (unless
    allowed knowingly) or without the administrators' second factor."""
    problems = []
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the served host names (no '*')")
    if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE and not env_bool("YIZHAN_ALLOW_SQLITE", False):
        problems.append("DATABASE_URL must point at PostgreSQL (or set YIZHAN_ALLOW_SQLITE=1 knowingly)")
    if not YIZHAN_REQUIRE_2FA:  # 等保 level 3 8.1.4.1 d): two authentication techniques for administrators
        problems.append("YIZHAN_REQUIRE_2FA must stay on (the second factor of the administrators)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode: " + "; ".join(problems))


if PRODUCTION:
    _refuse_unsafe_production()

# --- Logging: structured, no personal data ---------------------------------
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request id), for a log
# collector; "plain" (default) for a terminal. Both carry the request id (yizhan/core/logs.py).
# One handler, on the root logger, writes every line once; an answer of 400 or more is one line
# (status, path, request id), a traceback only for a 500 (logs.AnswerLineFilter).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "yizhan.core.logs.RequestIdFilter"},
        "answer_line": {"()": "yizhan.core.logs.AnswerLineFilter"},
    },
    "formatters": {
        "plain": {"()": "yizhan.core.logs.PlainFormatter"},
        "json": {"()": "yizhan.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "answer_line"],
            "level": LOG_LEVEL,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults (django.utils.log.DEFAULT_LOGGING) give "django" a console handler of
        # its own with DEBUG on, and "django.server" (runserver) its own format: each django.* line
        # was written twice, the second not in LOG_FORMAT. Here they keep no handler of their own.
        # INFO as in Django's defaults, whatever LOG_LEVEL: django.template's DEBUG records carry
        # a page's context, personal data included.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # axes: its start-up banner and per-login lines stay out (failures and lockouts are audited).
        "axes": {"level": "WARNING"},
    },
}

# --- API --------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Map ----------------------------------------------------------------------
# Tile source for every map: "amap" (the default: Amap's street map, which riders know), "osm",
# "tianditu", or "none" (boundaries and points only). Each tile source is drawn in its own coordinate
# system (spec §10): amap is GCJ-02, osm and tianditu are WGS-84, so the server converts geometries
# for them. When the tile server does not answer (an intranet, no internet), the maps fall back to
# boundaries only and say so on the map (issue 21 §3).
YIZHAN_MAP_TILES = os.environ.get("YIZHAN_MAP_TILES", "amap")
YIZHAN_MAP_TILE_URL = os.environ.get("YIZHAN_MAP_TILE_URL", "")
YIZHAN_TIANDITU_KEY = os.environ.get("YIZHAN_TIANDITU_KEY", "")
# Where the public pages live (issue 4): printed QR posters point at <base>/p/<code>/ (issue 3 §7).
YIZHAN_PUBLIC_BASE_URL = os.environ.get("YIZHAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Position imports: the largest accepted file, and up to which size it runs inside the request
# (larger files run in a background thread whose progress the page polls).
YIZHAN_IMPORT_MAX_BYTES = int(os.environ.get("YIZHAN_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
YIZHAN_PHOTO_MAX_BYTES = int(os.environ.get("YIZHAN_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
YIZHAN_IMPORT_SYNC_BYTES = int(os.environ.get("YIZHAN_IMPORT_SYNC_BYTES", 512 * 1024))
# An import warns of this many rows or more within this many metres of one another whose addresses,
# areas or units name different districts: a geocoder's fallback to the city centre (issue 14 §4).
YIZHAN_IMPORT_SAME_POINT_ROWS = int(os.environ.get("YIZHAN_IMPORT_SAME_POINT_ROWS", 3))
YIZHAN_IMPORT_SAME_POINT_METRES = float(os.environ.get("YIZHAN_IMPORT_SAME_POINT_METRES", 10))
# The earliest date a position's past events (opened, signage issued, verified, star rated) may
# carry (spec §2, §11 bad input): the founding of the People's Republic, before which no union
# position in its registry can have opened; it refuses 0001-01-01 and spreadsheet epoch artefacts
# (1899-12-30, 1900-01-01) while never refusing the true date of an old institution's record.
try:
    YIZHAN_EARLIEST_DATE = date.fromisoformat(os.environ.get("YIZHAN_EARLIEST_DATE", "1949-10-01"))
except ValueError as error:
    raise ImproperlyConfigured("YIZHAN_EARLIEST_DATE must be a date written YYYY-MM-DD") from error

# --- Public finder (issue 4) ----------------------------------------------------
# Walking model of spec §10 until a street network is loaded: straight line × detour factor at a
# walking speed (defaults 5 km/h and 1.3, spec §10).
YIZHAN_WALK_SPEED_KMH = float(os.environ.get("YIZHAN_WALK_SPEED_KMH", "5"))
YIZHAN_WALK_DETOUR_FACTOR = float(os.environ.get("YIZHAN_WALK_DETOUR_FACTOR", "1.3"))
# The geocoder that finds typed addresses and landmarks (issue 14 §5; core/geo/geocoder.py): "amap"
# (Amap web service), "tianditu" or "none" (the default: offline, the finder searches areas and the
# names and addresses of the federation's own positions only). Its key (Tianditu falls back to
# YIZHAN_TIANDITU_KEY), another address for the service (a proxy), how long a search waits for it,
# how long its answers are kept, and how long it is left alone after it failed.
YIZHAN_GEOCODER = os.environ.get("YIZHAN_GEOCODER", "none").strip().lower() or "none"
if YIZHAN_GEOCODER not in ("amap", "tianditu", "none"):
    raise ImproperlyConfigured("YIZHAN_GEOCODER must be amap, tianditu or none")
YIZHAN_GEOCODER_KEY = os.environ.get("YIZHAN_GEOCODER_KEY", "")
YIZHAN_GEOCODER_URL = os.environ.get("YIZHAN_GEOCODER_URL", "")
YIZHAN_GEOCODER_TIMEOUT_SECONDS = float(os.environ.get("YIZHAN_GEOCODER_TIMEOUT_SECONDS", "2"))
YIZHAN_GEOCODER_CACHE_SECONDS = int(os.environ.get("YIZHAN_GEOCODER_CACHE_SECONDS", str(7 * 86400)))
YIZHAN_GEOCODER_RETRY_SECONDS = int(os.environ.get("YIZHAN_GEOCODER_RETRY_SECONDS", "60"))
# What the finder does with a position that has an open "closed" or "locked" problem report (issue
# 15 §4): "demote" (the default) ranks it after the others, "hide" leaves it out, "off" neither; its
# result says so either way.
YIZHAN_FINDER_REPORTED_CLOSED = os.environ.get("YIZHAN_FINDER_REPORTED_CLOSED", "demote").strip().lower() or "demote"
# Requests per client address to /api/v1/public/ ("120/m": count / s, m, h or d; "off" for none).
YIZHAN_PUBLIC_RATE = os.environ.get("YIZHAN_PUBLIC_RATE", "120/m")
# Origins (scheme://host[:port], comma-separated) whose pages may call /api/v1/public/; none by default.
CORS_ALLOWED_ORIGINS = env_list("YIZHAN_CORS_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/v1/public/.*$"
CORS_ALLOW_METHODS = ("GET", "OPTIONS")

# --- Public feedback (issue 4 §4) -------------------------------------------------------
# Captcha-free abuse limits of POST /api/v1/public/feedback and the public pages' feedback form,
# as (count, seconds) windows per scope, counted in the cache (use REDIS_URL with several server
# processes). Every scope must be present; an empty list switches that scope off.
YIZHAN_FEEDBACK_LIMITS = {
    "client": [(5, 600), (20, 86400)],  # one address: 5 per 10 minutes, 20 per day
    "client_position": [(1, 3600)],  # one address on one position: 1 per hour
    "position": [(200, 86400)],  # one position from everyone: 200 per day
}

# --- Problem reports and the re-verify queue (issue 15 §4; spec §2) -----------------------------
# Abuse limits of public problem reports (closed, locked, no water…), shaped as the feedback ones.
YIZHAN_PROBLEM_REPORT_LIMITS = {
    "client": [(5, 600), (20, 86400)],  # one address: 5 per 10 minutes, 20 per day
    "client_position": [(1, 3600)],  # one address on one position: 1 per hour
    "position": [(50, 86400)],  # one position from everyone: 50 per day
}
# Days staff have to check a reported position on site (issue 15 §4: default 3).
YIZHAN_REVERIFY_DUE_DAYS = int(os.environ.get("YIZHAN_REVERIFY_DUE_DAYS", "3"))
# A position not verified on site for this many days joins the re-verify queue (default 180).
YIZHAN_VERIFIED_STALE_DAYS = int(os.environ.get("YIZHAN_VERIFIED_STALE_DAYS", "180"))
# Below this many ratings a satisfaction rate is "not enough responses" (issue 15 §5: default 10).
YIZHAN_SATISFACTION_MIN_RESPONSES = int(os.environ.get("YIZHAN_SATISFACTION_MIN_RESPONSES", "10"))

# --- Coverage and siting (issue 18; spec §10) --------------------------------------------------
# Side of a demand grid cell when a unit loads no demand of its own (issue 18 §2: default 250 m).
YIZHAN_COVERAGE_GRID_M = int(os.environ.get("YIZHAN_COVERAGE_GRID_M", "250"))
# The walking time of the service circle (spec §10: 15 minutes; at YIZHAN_WALK_SPEED_KMH = 5 that is
# 1,250 m of walking, and 1,250 ÷ YIZHAN_WALK_DETOUR_FACTOR ≈ 960 m in a straight line).
YIZHAN_COVERAGE_WALK_MINUTES = float(os.environ.get("YIZHAN_COVERAGE_WALK_MINUTES", "15"))
# A station is a candidate to move when at least this share of the demand it reaches is reached by
# another station too (issue 18 §4; the spec fixes no number, so this is a default to tune).
YIZHAN_COVERAGE_OVERLAP_SHARE = float(os.environ.get("YIZHAN_COVERAGE_OVERLAP_SHARE", "0.8"))
# Largest demand set (points or grid cells) accepted: 2 million is a 100 m grid over ~20,000 km².
YIZHAN_COVERAGE_MAX_POINTS = int(os.environ.get("YIZHAN_COVERAGE_MAX_POINTS", "2000000"))
# Seconds the exact siting solver (HiGHS) may run before answering with its proved gap (issue 18 §5).
YIZHAN_SITING_TIME_LIMIT = float(os.environ.get("YIZHAN_SITING_TIME_LIMIT", "120"))

# --- Publishing to partners (issue 20; docs/publishing.md) -------------------------------------
# Networks a webhook address may point into although they are not public (a partner on the
# union's intranet), e.g. "10.20.0.0/16"; none by default: private, loopback and reserved
# addresses and this site itself are refused (issue 20 "Bad input").
YIZHAN_WEBHOOK_ALLOWED_NETWORKS = env_list("YIZHAN_WEBHOOK_ALLOWED_NETWORKS", [])

# Demo accounts share one password so a newcomer can log in after `make run`.
YIZHAN_DEMO_PASSWORD = os.environ.get("YIZHAN_DEMO_PASSWORD", "Yizhan-demo-2026")

YIZHAN_TITLE = _("驿站 · 工会服务阵地管理平台")
# --- Audit log and personal data (issue 5 §3, §4) --------------------------------------
# Days audit entries are kept before `yizhan audit-purge` may delete them: at least 180 (spec §11;
# Cybersecurity Law art. 21, network logs >= 6 months); a lower value fails the system check.
YIZHAN_AUDIT_RETENTION_DAYS = int(os.environ.get("YIZHAN_AUDIT_RETENTION_DAYS", "180"))
# Key of the HMAC-SHA256 signature of audit exports; empty: derived from SECRET_KEY (so rotating
# SECRET_KEY makes older exports unverifiable; set a key of its own to keep them verifiable).
YIZHAN_AUDIT_SIGNING_KEY = os.environ.get("YIZHAN_AUDIT_SIGNING_KEY", "")
# Days a feedback submitter's phone (and address pseudonym) is kept for replying before
# `yizhan feedback-anonymise` removes it (spec §11).
YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS = int(os.environ.get("YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS", "365"))
