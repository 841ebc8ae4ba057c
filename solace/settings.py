"""Django settings for Solace.

Every setting comes from an environment variable with a safe production default; each one is
listed in README.md and .env.example. Variables are parsed by solace.env: a malformed value stops
the start with an error naming the variable. There is no SQL database: persistence is DynamoDB.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from solace.env import (
    aws_region,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Development mode (`make run`; never in production): cookies over plain http, the insecure
# development key, static files from the finders, no HTTPS redirect or HSTS.
SOLACE_DEBUG = env_bool("SOLACE_DEBUG", False)
# Django's DEBUG is only its technical 404/500 pages (tracebacks, settings) in place of the
# app's own error pages: on request, and only in development mode.
SOLACE_DEBUG_TECHNICAL_PAGES = env_bool("SOLACE_DEBUG_TECHNICAL_PAGES", False)
if SOLACE_DEBUG_TECHNICAL_PAGES and not SOLACE_DEBUG:
    raise ImproperlyConfigured("SOLACE_DEBUG_TECHNICAL_PAGES=1 needs SOLACE_DEBUG=1")
DEBUG = SOLACE_DEBUG_TECHNICAL_PAGES


def _secret_from_ssm(parameter: str) -> str:
    """In AWS the secret key lives in an SSM SecureString, read once per cold start."""
    from solace import aws

    ssm = aws.client("ssm", region=aws_region())
    return ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]


SECRET_KEY = env_str("SOLACE_SECRET_KEY")
if not SECRET_KEY and env_str("SOLACE_SECRET_KEY_PARAMETER"):
    SECRET_KEY = _secret_from_ssm(env_str("SOLACE_SECRET_KEY_PARAMETER"))
if not SECRET_KEY:
    if not SOLACE_DEBUG:
        raise ImproperlyConfigured("SOLACE_SECRET_KEY is required when SOLACE_DEBUG is off")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

# The Lambda Web Adapter's readiness check calls 127.0.0.1; the public domain comes from config.
SOLACE_DOMAIN = env_str("SOLACE_DOMAIN")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", *env_list("SOLACE_ALLOWED_HOSTS")]
if SOLACE_DOMAIN:
    ALLOWED_HOSTS.append(SOLACE_DOMAIN)
CSRF_TRUSTED_ORIGINS = env_list("SOLACE_CSRF_TRUSTED_ORIGINS")
if SOLACE_DOMAIN:
    CSRF_TRUSTED_ORIGINS.append(f"https://{SOLACE_DOMAIN}")

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER
    "django_htmx",
    "template_partials",
    "csp",
    "solace",
    "audit",
    "accounts",
    "intake",
    "cockpit",
    "console",
    "reports",
]

MIDDLEWARE = [
    "solace.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.StaffMiddleware",
]

ROOT_URLCONF = "solace.urls"
FORM_RENDERER = "solace.forms.FormRenderer"
WSGI_APPLICATION = "solace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "accounts.context_processors.staff",
            ],
        },
    },
]

# No SQL database anywhere: persistence is DynamoDB through the repository layer.
DATABASES: dict = {}

# --- DynamoDB ---------------------------------------------------------------------------------
SOLACE_DYNAMODB_ENDPOINT = env_str("SOLACE_DYNAMODB_ENDPOINT") or None
SOLACE_AWS_REGION = aws_region()
SOLACE_TABLE_PREFIX = env_str("SOLACE_TABLE_PREFIX", "solace-")
SOLACE_DYNAMODB_CONNECT_TIMEOUT = env_float("SOLACE_DYNAMODB_CONNECT_TIMEOUT", 2, minimum=0.1)
SOLACE_DYNAMODB_READ_TIMEOUT = env_float("SOLACE_DYNAMODB_READ_TIMEOUT", 5, minimum=0.1)
SOLACE_DYNAMODB_MAX_ATTEMPTS = env_int("SOLACE_DYNAMODB_MAX_ATTEMPTS", 4, minimum=1)

# The archiver function (same image) receives stream batches from the Lambda Web Adapter at
# /events; the web function never routes that path.
SOLACE_ARCHIVER = env_bool("SOLACE_ARCHIVER", False)
# The rollup function (same image) receives encounters stream batches at /rollup/events.
SOLACE_ROLLUP = env_bool("SOLACE_ROLLUP", False)

# --- Staff sign-in and sessions ---------------------------------------------------------------
SESSION_ENGINE = "accounts.session_backend"
SOLACE_LOCKED_URL = "/locked/"  # where a staff session past its idle deadline goes
SOLACE_SESSION_IDLE_SECONDS = env_int("SOLACE_SESSION_IDLE_SECONDS", 15 * 60, minimum=1)
SOLACE_SESSION_ABSOLUTE_SECONDS = env_int(
    "SOLACE_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=1
)
# The cookie dies with the browser; the server-side item decides idle and absolute expiry.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SOLACE_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_NAME = "solace_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sign-in throttle: failures of one account from one address first get progressive delays
# (the longest is the lock-out); much higher ceilings hold an account (password sign-in only:
# passkeys still work) or an address (a NAT of many people) for the lock-out time.
SOLACE_LOGIN_MAX_FAILURES = env_int("SOLACE_LOGIN_MAX_FAILURES", 5, minimum=1)
SOLACE_LOGIN_WINDOW_SECONDS = env_int("SOLACE_LOGIN_WINDOW_SECONDS", 15 * 60, minimum=1)
SOLACE_LOGIN_LOCKOUT_SECONDS = env_int("SOLACE_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
SOLACE_LOGIN_ACCOUNT_MAX_FAILURES = env_int("SOLACE_LOGIN_ACCOUNT_MAX_FAILURES", 50, minimum=1)
SOLACE_LOGIN_ADDRESS_MAX_FAILURES = env_int("SOLACE_LOGIN_ADDRESS_MAX_FAILURES", 100, minimum=1)
SOLACE_DEMO_PASSWORD = env_str("SOLACE_DEMO_PASSWORD")
# Base32 TOTP secret of the demo staff who need a second factor (generated when unset).
SOLACE_DEMO_TOTP_SECRET = env_str("SOLACE_DEMO_TOTP_SECRET")
# WebAuthn (passkeys) relying party: the public host name; `localhost` locally (WebAuthn
# refuses IP addresses, so open the app at http://localhost:PORT/).
SOLACE_WEBAUTHN_RP_ID = SOLACE_DOMAIN or "localhost"
# Key of the audit trail's client-address hashes (default: derived from the secret key).
SOLACE_AUDIT_ADDRESS_KEY = env_str("SOLACE_AUDIT_ADDRESS_KEY")
SOLACE_QUEUE_POLL_SECONDS = env_int("SOLACE_QUEUE_POLL_SECONDS", 5, minimum=1)
# How often a patient's status page asks whether their visit changed (204 when it did not).
SOLACE_STATUS_POLL_SECONDS = env_int("SOLACE_STATUS_POLL_SECONDS", 10, minimum=1)
# Proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
SOLACE_TRUSTED_PROXY_HOPS = env_int("SOLACE_TRUSTED_PROXY_HOPS", 0, minimum=0)
LOGIN_URL = "/accounts/login/"

# Every password set (set-up link, commands) passes these (accounts.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.RepeatedCharacterValidator"},
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Security ---------------------------------------------------------------------------------
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers, not the cookie
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "solace.views.csrf_failure"
SESSION_COOKIE_SECURE = not SOLACE_DEBUG
CSRF_COOKIE_SECURE = not SOLACE_DEBUG
SECURE_SSL_REDIRECT = env_bool("SOLACE_SECURE_SSL_REDIRECT", not SOLACE_DEBUG)
# Lambda function URLs and API Gateway terminate TLS and forward the scheme in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The readiness check of the Lambda Web Adapter is plain HTTP on loopback, and so are the stream
# batches it passes through to the archiver and the rollup functions (no public URL).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if SOLACE_ARCHIVER:
    SECURE_REDIRECT_EXEMPT.append(r"^events$")
if SOLACE_ROLLUP:
    SECURE_REDIRECT_EXEMPT.append(r"^rollup/events$")
SECURE_HSTS_SECONDS = env_int("SOLACE_HSTS_SECONDS", 31536000, minimum=0)
if SOLACE_DEBUG:
    SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SOLACE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # no form of ours comes anywhere near this
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Internationalization ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Español"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "solace_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not SOLACE_DEBUG
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files (whitenoise; collected at image build time) ---------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("SOLACE_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names need `collectstatic` first (done when the image is built).
SOLACE_STATIC_MANIFEST = env_bool("SOLACE_STATIC_MANIFEST", not SOLACE_DEBUG)
STORAGES = {
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SOLACE_STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = not SOLACE_STATIC_MANIFEST
# Whitenoise would follow DEBUG (the technical pages); development mode is what matters here.
WHITENOISE_AUTOREFRESH = SOLACE_DEBUG
WHITENOISE_MAX_AGE = 0 if SOLACE_DEBUG else 60

# --- Logging: one JSON line per request on stdout, never patient data -------------------------
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "solace.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env_choice("SOLACE_LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {
        # Django's own request logger repeats paths (which can carry ids) in free text.
        "django.request": {"level": "CRITICAL", "propagate": True},
        "django.server": {"level": "CRITICAL", "propagate": True},
        # Django's security lines repeat the path or the exception's text (CSRF failures, bad
        # Host headers, bad cursors), at ERROR with a traceback. The request line records the
        # status, and a view's 4xx is one solace.request warning with the exception's class.
        "django.security": {"level": "CRITICAL", "propagate": True},
        "botocore": {"level": "WARNING"},
    },
}
