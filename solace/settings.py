"""Django settings for Solace.

Every setting comes from an environment variable with a safe production default; each one is
listed in README.md and .env.example. There is no SQL database: persistence is DynamoDB.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("SOLACE_DEBUG", False)


def _secret_from_ssm(parameter: str) -> str:
    """In AWS the secret key lives in an SSM SecureString, read once per cold start."""
    from solace import aws

    region = env_str("SOLACE_AWS_REGION") or env_str("AWS_REGION") or None
    ssm = aws.client("ssm", region=region)
    return ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]


SECRET_KEY = env_str("SOLACE_SECRET_KEY")
if not SECRET_KEY and env_str("SOLACE_SECRET_KEY_PARAMETER"):
    SECRET_KEY = _secret_from_ssm(env_str("SOLACE_SECRET_KEY_PARAMETER"))
if not SECRET_KEY:
    if not DEBUG:
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
SOLACE_AWS_REGION = env_str("SOLACE_AWS_REGION") or env_str("AWS_REGION") or "us-east-1"
SOLACE_TABLE_PREFIX = env_str("SOLACE_TABLE_PREFIX", "solace-")
SOLACE_DYNAMODB_CONNECT_TIMEOUT = float(env_str("SOLACE_DYNAMODB_CONNECT_TIMEOUT", "2"))
SOLACE_DYNAMODB_READ_TIMEOUT = float(env_str("SOLACE_DYNAMODB_READ_TIMEOUT", "5"))
SOLACE_DYNAMODB_MAX_ATTEMPTS = env_int("SOLACE_DYNAMODB_MAX_ATTEMPTS", 4)

# The archiver function (same image) receives stream batches from the Lambda Web Adapter at
# /events; the web function never routes that path.
SOLACE_ARCHIVER = env_bool("SOLACE_ARCHIVER", False)

# --- Staff sign-in and sessions ---------------------------------------------------------------
SESSION_ENGINE = "accounts.session_backend"
SOLACE_SESSION_IDLE_SECONDS = env_int("SOLACE_SESSION_IDLE_SECONDS", 15 * 60)
SOLACE_SESSION_ABSOLUTE_SECONDS = env_int("SOLACE_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
# The cookie dies with the browser; the server-side item decides idle and absolute expiry.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SOLACE_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_NAME = "solace_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SOLACE_LOGIN_MAX_FAILURES = env_int("SOLACE_LOGIN_MAX_FAILURES", 5)
SOLACE_LOGIN_WINDOW_SECONDS = env_int("SOLACE_LOGIN_WINDOW_SECONDS", 15 * 60)
SOLACE_LOGIN_LOCKOUT_SECONDS = env_int("SOLACE_LOGIN_LOCKOUT_SECONDS", 15 * 60)
SOLACE_DEMO_PASSWORD = env_str("SOLACE_DEMO_PASSWORD")
SOLACE_QUEUE_POLL_SECONDS = env_int("SOLACE_QUEUE_POLL_SECONDS", 5)
# Proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
SOLACE_TRUSTED_PROXY_HOPS = env_int("SOLACE_TRUSTED_PROXY_HOPS", 0)
LOGIN_URL = "/accounts/login/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Security ---------------------------------------------------------------------------------
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers, not the cookie
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "solace.views.csrf_failure"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SOLACE_SECURE_SSL_REDIRECT", not DEBUG)
# Lambda function URLs and API Gateway terminate TLS and forward the scheme in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The readiness check of the Lambda Web Adapter is plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SOLACE_HSTS_SECONDS", 31536000)
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
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files (whitenoise; collected at image build time) ---------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("SOLACE_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names need `collectstatic` first (done when the image is built).
SOLACE_STATIC_MANIFEST = env_bool("SOLACE_STATIC_MANIFEST", not DEBUG)
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

# --- Logging: one JSON line per request on stdout, never patient data -------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "solace.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env_str("SOLACE_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own request logger repeats paths (which can carry ids) in free text.
        "django.request": {"level": "CRITICAL", "propagate": True},
        "django.server": {"level": "CRITICAL", "propagate": True},
        # CSRF failures and bad Host headers repeat the path; our request line records them.
        "django.security.csrf": {"level": "CRITICAL", "propagate": True},
        "django.security.DisallowedHost": {"level": "CRITICAL", "propagate": True},
        "botocore": {"level": "WARNING"},
    },
}
