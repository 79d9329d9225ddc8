"""Settings for the Help Center portal, read from the environment.

With no environment set, the portal runs embedded on one machine: SQLite, files on local disk,
e-mail to the console, and Celery on a broker kept in a local folder. Production sets
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` and the S3 variables; the code is the same.
Every variable and its default is listed in README.md ("Configuration").
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False

# ------------------------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)

# Where the embedded run keeps its database, uploaded files, broker messages and cache.
VAR_DIR = Path(env.str("HELPCENTER_VAR_DIR", default=str(BASE_DIR / "var")))
# SQLite and the embedded broker need their folders to exist before the first process opens them.
VAR_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET_KEY = "embedded-development-key-not-for-production"  # noqa: S105 (local runs only)
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

if not DEBUG:
    # A production start with a missing or placeholder secret must fail loudly, not run weakly.
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DEBUG=False needs SECRET_KEY: a random value of at least 50 characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG=False needs ALLOWED_HOSTS: the host names this portal answers to.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin, on the staff site that asks for the second factor (twofactor/staff_admin.py).
    "twofactor.admin_config.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    # The second factor: TOTP apps and single-use recovery codes (used by twofactor/).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Sign-in throttling and lockout for every sign-in page (settings under "Sign-in").
    "axes",
    # Ours, lowest first: each app imports only from apps above it in this list.
    "ops",
    "accounts",
    # The audit log and sign-in safeguards; the portals call it, it imports none of them.
    "audit",
    "letters",
    "complaints",
    "imr",
    # The case packet for outside reviewers (reads complaints, renders with letters).
    "packets",
    "twofactor",
    "planportal",
    # The independent review organization's side of an IMR (reviewers, attestations, determinations).
    "review",
    "filing",
    # The public API reads imr's selectors; nothing imports it.
    "api",
    "helpcenter",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every page (see "Security" below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for the public API only (CORS_URLS_REGEX), before CommonMiddleware as it asks.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signs out a session that was idle too long or signed in too long ago (before the OTP check).
    "audit.sessions.SessionLifetimeMiddleware",
    # Sets request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Writes the audit row of each page that reads or changes health information.
    "audit.middleware.AuditMiddleware",
    # Turns a locked-out sign-in into status 429 (django-axes asks to be last).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpcenter.urls"
WSGI_APPLICATION = "helpcenter.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "django.template.context_processors.i18n",
                "helpcenter.context_processors.help_center",
            ],
        },
    },
]

# ------------------------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'helpcenter.sqlite3'}")}
DATABASE_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

if DATABASE_IS_SQLITE:
    # Web, worker and beat share one file: WAL lets readers run beside the single writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that a Celery worker started by a test can open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-helpcenter.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------------------------
# Cache (shared by every web and worker process: Redis in production, a folder when embedded)
# ------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# ------------------------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in one folder that every local process shares.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
    EMBEDDED_BROKER_DIRS = [_broker_dir / "queue", _broker_dir / "control"]
    for _folder in EMBEDDED_BROKER_DIRS:
        _folder.mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    EMBEDDED_BROKER_DIRS = []

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "America/Los_Angeles"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang on a broker outage: try briefly, then leave the work to the sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULER = "ops.beat:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))


# How often a worker and beat record that they are alive, and when /healthz calls them gone.
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=30)
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=120)

# ------------------------------------------------------------------------------------------------
# Files: local disk when embedded, S3-compatible storage when a bucket is named
# ------------------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # uploads are never served directly; views check who asks
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# The longest a letter may take to render before the renderer stops it.
LETTERS_RENDER_TIME_LIMIT_SECONDS = env.int("LETTERS_RENDER_TIME_LIMIT_SECONDS", default=30)

# Upload limits: per file, and for all of one case's documents together.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_CASE_BYTES = env.int("UPLOAD_MAX_CASE_BYTES", default=60 * 1024 * 1024)
UPLOAD_MAX_FILES_PER_CASE = env.int("UPLOAD_MAX_FILES_PER_CASE", default=40)
# A Word file (a zip archive) is refused if it expands past any of these (complaints/uploads/docx.py).
UPLOAD_ARCHIVE_MAX_ENTRIES = env.int("UPLOAD_ARCHIVE_MAX_ENTRIES", default=1000)
UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES = env.int("UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES", default=50 * 1024 * 1024)
UPLOAD_ARCHIVE_MAX_RATIO = env.int("UPLOAD_ARCHIVE_MAX_RATIO", default=50)
# A PDF is read and rewritten in a child process with these limits (complaints.uploads.isolation):
# a few megabytes can expand to gigabytes. The memory limit is how far the child may grow beyond what
# it inherited. Past either limit the file is refused as unreadable.
UPLOAD_PDF_MEMORY_LIMIT_BYTES = env.int("UPLOAD_PDF_MEMORY_LIMIT_BYTES", default=768 * 1024 * 1024)
UPLOAD_PDF_TIME_LIMIT_SECONDS = env.int("UPLOAD_PDF_TIME_LIMIT_SECONDS", default=30)
# ClamAV's clamd, as host:port or a socket path. Set: every new document waits for a clean virus
# scan (a worker, complaints/scanning.py) before anyone can open it. Empty: no scanning.
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT_SECONDS = env.int("CLAMD_TIMEOUT_SECONDS", default=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

# ------------------------------------------------------------------------------------------------
# Backups (ops/backup, docs/backups.md): where archives go, how many are kept, the nightly time
# ------------------------------------------------------------------------------------------------
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
# Set to keep archives in an S3-compatible bucket (under BACKUP_S3_PREFIX) instead of BACKUP_DIR.
BACKUP_S3_BUCKET = env.str("BACKUP_S3_BUCKET", default="")
BACKUP_S3_PREFIX = env.str("BACKUP_S3_PREFIX", default="backups")
# Set (32 random bytes, URL-safe base64; `manage.py backup --new-key`): archives are encrypted
# with AES-256-GCM. Keep the key in a secrets store, never beside the archives.
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
BACKUP_HOUR = env.int("BACKUP_HOUR", default=2)  # local time (America/Los_Angeles)
BACKUP_MINUTE = env.int("BACKUP_MINUTE", default=30)
# /healthz and the dashboard call backups overdue, and supervisors are told, past this age.
BACKUP_STALE_HOURS = env.int("BACKUP_STALE_HOURS", default=26)
BACKUP_LEASE_SECONDS = env.int("BACKUP_LEASE_SECONDS", default=6 * 60 * 60)
# Where the database dump and files in transit are staged (empty: the system's temporary folder).
BACKUP_TEMP_DIR = env.str("BACKUP_TEMP_DIR", default="")
# Recorded in each archive's manifest; empty: `git describe` of the checkout, if there is one.
PORTAL_VERSION = env.str("PORTAL_VERSION", default="")
# Who is told about a failed or overdue backup: active staff in this group.
BACKUP_NOTIFY_GROUP = "supervisor"

if BACKUP_S3_BUCKET:
    _backup_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BACKUP_S3_BUCKET,
            "location": BACKUP_S3_PREFIX,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
else:
    _backup_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": BACKUP_DIR}}

STORAGES = {
    "backups": _backup_storage,
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# ------------------------------------------------------------------------------------------------
# E-mail (console when embedded; any EMAIL_URL, e.g. smtp+tls://user:pass@host:587, in production)
# ------------------------------------------------------------------------------------------------
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DMHC Help Center <no-reply@helpcenter.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ------------------------------------------------------------------------------------------------
# Languages and time
# ------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/Los_Angeles"
USE_TZ = True

# ------------------------------------------------------------------------------------------------
# Sign-in
# ------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The enrollee sign-in page (the staff admin keeps its own at /admin/login/).
LOGIN_URL = "accounts:sign-in"
# The name an authenticator app shows beside the account (django-otp TOTP devices).
OTP_TOTP_ISSUER = "DMHC Help Center"
# The admin lists second-factor devices (to remove a lost phone) but never shows their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django-axes first checks whether the account or the address is locked out, then the password.
AUTHENTICATION_BACKENDS = [
    "audit.signins.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# One rule for every sign-in page (enrollee, plan portal, staff admin), in audit/lockout.py: an
# account-and-address pair is refused for the cool-off after AXES_FAILURE_LIMIT failures; an
# address after SIGN_IN_ADDRESS_FAILURE_LIMIT failures whatever the accounts; an account is never
# locked, only slowed (doubling waits, at most SIGN_IN_DELAY_MAX_SECONDS) from its
# SIGN_IN_DELAY_AFTER-th failure, except from an address it signed in from before. Refused
# attempts are not counted and do not extend anything.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=30)
SIGN_IN_DELAY_AFTER = env.int("SIGN_IN_DELAY_AFTER", default=5)
SIGN_IN_DELAY_MAX_SECONDS = env.int("SIGN_IN_DELAY_MAX_SECONDS", default=60)
SIGN_IN_KNOWN_ADDRESS_DAYS = env.int("SIGN_IN_KNOWN_ADDRESS_DAYS", default=90)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "audit.signins.lockout_username"
AXES_CLIENT_IP_CALLABLE = "audit.signins.lockout_client_ip"
AXES_LOCKOUT_CALLABLE = "audit.signins.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
# Sign-ins are in the audit log (audit.AuditEvent); axes keeps only its failure counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# ------------------------------------------------------------------------------------------------
# Security (production values apply whenever DEBUG is off)
# ------------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No health information leaves in error reports: nobody gets error e-mails, and the report (the
# DEBUG page, or an e-mail if an operator sets ADMINS) hides posted values and local variables.
ADMINS = []
DEFAULT_EXCEPTION_REPORTER_FILTER = "audit.reporting.NoHealthInformationFilter"

# A signed-in session ends after this long without a request, and this long after sign-in however
# busy it is (audit.sessions.SessionLifetimeMiddleware). The cookie lasts as long as the idle time.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_MAX_AGE_SECONDS = env.int("SESSION_MAX_AGE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS


# The proxies in front of the portal (the load balancer), as addresses or networks, outermost
# first; none by default. The client's address (ops.network.client_ip: every throttle, the sign-in
# lockout, the audit log) is read from X-Forwarded-For only when the connection comes from one of
# these, and only from the entries they added; otherwise the connection's own address is used.
def _addresses_or_networks(variable: str) -> list[str]:
    values = [value.strip() for value in env.list(variable, default=[]) if value.strip()]
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{variable}: {value!r} is not an IP address or network (e.g. 10.0.0.0/8)."
            ) from error
    return values


TRUSTED_PROXIES = _addresses_or_networks("TRUSTED_PROXIES")
# Who sees /healthz's details (each check, the database and broker in use, when workers were last
# seen) besides signed-in staff with their second factor: these client addresses or networks.
# Everyone else gets only {"ok": ...} and the status code, which is all a load balancer needs.
HEALTHZ_DETAIL_ADDRESSES = _addresses_or_networks("HEALTHZ_DETAIL_ADDRESSES")

# Content-Security-Policy on every page, the admin's included: only this site's own scripts,
# styles, images and fonts; an inline <style> or <script> runs only with the page's nonce
# ({{ request.csp_nonce }}) or, for Django admin's one fixed inline style, its hash (checked by
# helpcenter/tests/test_security_headers.py against the admin template). No frames, no plugins.
ADMIN_CHANGE_LIST_STYLE_HASH = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, ADMIN_CHANGE_LIST_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# ------------------------------------------------------------------------------------------------
# Public API (/api/v1/, docs/api.md)
# ------------------------------------------------------------------------------------------------
# Requests per client address; over it, 429 with Retry-After. Counted in the shared cache.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.json_exception_handler",
    "UNAUTHENTICATED_USER": None,
    # `format` is not a parameter of ours: the CSV has its own address.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DMHC Help Center: public API of IMR decisions",
    "DESCRIPTION": (
        "Read-only, anonymous access to the published, de-identified Independent Medical Review "
        "decisions and their statistics. See docs/api.md for limits and the versioning promise."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema_hooks.add_links"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to a third-party validator from the docs page.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "ENUM_NAME_OVERRIDES": {
        "Determination": "imr.models.Determination",
        "DecisionType": "imr.models.DecisionType",
        "ImrType": "imr.models.ImrType",
        "AgeRange": "imr.models.AgeRange",
        "Gender": "imr.models.Gender",
    },
}
# Any site may read the API from a browser, with GET only and no credentials.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# ------------------------------------------------------------------------------------------------
# Forms
# ------------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ------------------------------------------------------------------------------------------------
# Logging: to standard error, where the process manager collects it
# ------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every rendering step at INFO; only its warnings matter to an operator.
    "loggers": {
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "pikepdf")},
        # django-axes logs every failed sign-in with the e-mail typed; the audit log has them.
        "axes": {"level": "ERROR"},
    },
}

# ------------------------------------------------------------------------------------------------
# The Help Center's own contact facts, shown on every public page and letter (from the BRIEF)
# ------------------------------------------------------------------------------------------------
HELP_CENTER_CONTACT = {
    "name": "Help Center, Department of Managed Health Care",
    "phone": "1-888-466-2219",
    "tdd": "1-877-688-9891",
    "fax": "916-255-5241",
    "street": "980 Ninth Street, Suite 500",
    "city_line": "Sacramento, CA 95814-2725",
}
# Where questions from the public contact form go (comma-separated addresses).
CONTACT_FORM_TO = env.list("CONTACT_FORM_TO", default=["helpcenter@helpcenter.localhost"])

# ------------------------------------------------------------------------------------------------
# Links in e-mails, and the clock sweep
# ------------------------------------------------------------------------------------------------
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=60)
SWEEP_STALE_SECONDS = env.int("SWEEP_STALE_SECONDS", default=300)
# Work younger than this is left to the task queued for it before the sweep steps in.
SWEEP_GRACE_SECONDS = env.int("SWEEP_GRACE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "clock-sweep": {
        "task": "complaints.clock_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
        # A sweep nobody picked up within its interval is dropped: the next one does the same work.
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
    # Case packets whose build task was lost are queued again.
    "requeue-pending-packets": {
        "task": "packets.requeue_pending",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
    "publish-portal-decisions": {
        "task": "imr.publish_portal_decisions",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
}
# The nightly backup (one at a time, under a lease) and the watch that tells supervisors when
# the last good backup is older than BACKUP_STALE_HOURS or an e-mail about it is still unsent.
CELERY_BEAT_SCHEDULE["backup-nightly"] = {
    "task": "ops.backup_nightly",
    "schedule": crontab(hour=BACKUP_HOUR, minute=BACKUP_MINUTE),
    "options": {"expires": 60 * 60},
}
CELERY_BEAT_SCHEDULE["backup-watch"] = {
    "task": "ops.backup_watch",
    "schedule": 15 * 60,
    "options": {"expires": 15 * 60},
}
if CLAMD_ADDRESS:
    # Documents whose scan task was lost (a broker outage) are scanned by this sweep.
    CELERY_BEAT_SCHEDULE["scan-pending-documents"] = {
        "task": "complaints.documents_scan_pending",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    }
