"""Samskab's settings: every deploy choice is read from the environment.

The defaults are the quick start (one process, SQLite under var/, mail to the console).
SAMSKAB_ENV=production turns on every production safeguard and refuses to start without
the settings production needs. docs/deployment.md lists every variable.
"""

import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from samskab.accounts.mitid.config import mitid_socialaccount_providers
from samskab.accounts.mitid.levels import BROKER_ACR, broker_acr
from samskab.accounts.nemlogin.config import nemlogin_socialaccount_providers
from samskab.envvars import (
    ConfigurationError,
    cache_config,
    email_config,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key_from_file,
)

# pysaml2 (NemLog-in) imports a cipher mode that cryptography has moved; it does not use it.
# Said on every command otherwise (pyproject.toml says the same for the tests).
warnings.filterwarnings("ignore", message="CFB has been moved", module="saml2")

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("SAMSKAB_VAR_DIR", str(PROJECT_DIR / "var")))

SAMSKAB_ENV = env_str("SAMSKAB_ENV", "development")
PRODUCTION = SAMSKAB_ENV == "production"
TESTING = env_bool("SAMSKAB_TESTING")

DEBUG = env_bool("DEBUG", default=not PRODUCTION and not TESTING)

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ConfigurationError("SECRET_KEY (50 characters or more) is required in production")
    if DEBUG:
        raise ConfigurationError("DEBUG must be off in production")
else:
    SECRET_KEY = env_str("SECRET_KEY") or secret_key_from_file(VAR_DIR / "secret_key")
# Earlier keys, comma-separated, while a new SECRET_KEY is rolled out: cookies and links
# they signed stay valid (sessions, the viewer cookie, password reset links).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigurationError("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the site, used in e-mails and share links where no request is at hand.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "samskab.core",
    "samskab.accounts",
    "samskab.live",
    "samskab.api",
    "samskab.webcasts",
    "samskab.streaming",
    "samskab.recordings",
    "samskab.feedback",
    "samskab.polls",
    "samskab.budgets",
    "samskab.debates",
    "samskab.proposals",
    "samskab.hearings",
    "samskab.presentations",
    "samskab.votes",
    "samskab.surveys",
    "samskab.stats",
    "samskab.social",
    "samskab.staff",
    "samskab.comments",
    "samskab.moderation",
    "samskab.attachments",
    "samskab.places",
    "samskab.follows",
    "samskab.supports",
    "samskab.activity",
    "samskab.notifications",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "samskab.accounts.mitid",
    "samskab.accounts.nemlogin",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
]
if TESTING:
    # A capability of the test suite's own, that gets comments, follows and reports from the
    # kernel by registration alone (core/tests/kernelapp).
    INSTALLED_APPS.append("samskab.core.tests.kernelapp")

MIDDLEWARE = [
    # The players' statistics beacon, answered before everything else (samskab.stats).
    "samskab.stats.middleware.BeaconMiddleware",
    # Request id and metrics around everything; the probes before the host check and the
    # HTTPS redirect, so a load balancer can ask the process directly (core/health.py).
    "samskab.core.metrics.RequestMiddleware",
    "samskab.core.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "samskab.core.middleware.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before our middleware, which adds messages when it logs out or redirects.
    "django.contrib.messages.middleware.MessageMiddleware",
    "samskab.accounts.middleware.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "samskab.accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the CSP: a page drawing the optional tiled map may show that server's pictures.
    "samskab.places.tiles.TileSourceMiddleware",
    "samskab.core.middleware.ViewerMiddleware",
    # Counts visits to the processes' pages (samskab.stats): a number per page and day, no more.
    "samskab.stats.middleware.VisitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "samskab.urls"
ASGI_APPLICATION = "samskab.asgi.application"

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
                "samskab.core.context_processors.site",
                "samskab.notifications.context_processors.unread",
            ],
        },
    },
]

# Database: DATABASE_URL chooses; the quick start is a SQLite file in WAL mode.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'samskab.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades
        # failing under concurrent writes; the timeout waits for the writer instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_SIZE:
    # Each request in flight holds a connection (ASGI runs each in its own thread); a pool per
    # process caps them below PostgreSQL's max_connections and reuses them. Pooled connections
    # are not also kept per thread, so CONN_MAX_AGE is 0 with a pool.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 20),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": cache_config(env_str("CACHE_URL", "locmem://"))}

# Server push (samskab.live): memory:// for one process, redis://host:port/db for many.
LIVE_BROKER_URL = env_str("LIVE_BROKER_URL", "memory://")
# A comment line on idle streams so proxies keep them open (nginx closes after 60 s).
LIVE_HEARTBEAT_SECONDS = env_int("LIVE_HEARTBEAT_SECONDS", 15)
# Events kept per channel for browsers that reconnect with Last-Event-ID.
LIVE_REPLAY_SIZE = env_int("LIVE_REPLAY_SIZE", 200)
# Events waiting for one viewer before its connection is dropped as too slow.
LIVE_CLIENT_QUEUE = env_int("LIVE_CLIENT_QUEUE", 64)
# Bursty sources (vote tallies) publish their newest value this often.
LIVE_COALESCE_MS = env_int("LIVE_COALESCE_MS", 250)
# How soon a browser reconnects, and how often it polls where streams do not get through.
LIVE_RETRY_MS = env_int("LIVE_RETRY_MS", 2000)
LIVE_POLL_MS = env_int("LIVE_POLL_MS", 5000)
# Live streams set up at once in one process; more wait their turn (live/gate.py).
LIVE_HANDSHAKES_PER_PROCESS = env_int("LIVE_HANDSHAKES_PER_PROCESS", 32)
# Garbage-collector generation 0 size in serving processes (samskab.live.hub.tune_gc); 0: Python's.
LIVE_GC_THRESHOLD = env_int("LIVE_GC_THRESHOLD", 50_000)
# The /live/demo/ page (two windows, one message): on outside production.
LIVE_DEMO = env_bool("LIVE_DEMO", default=not PRODUCTION)

# Background work: django-tasks, database backend with `samskab worker`; immediate in tests.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

ACCOUNT_ADAPTER = "samskab.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "samskab.accounts.adapters.SocialAccountAdapter"
MFA_ADAPTER = "samskab.accounts.adapters.MFAAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Changing e-mail, password or second factor asks for the password (or a code sent by
# e-mail, or the authenticator) again if the last time was more than 5 minutes ago.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Failed logins: django-axes locks one account from one address (below); allauth's limits
# sit above it, against guessing across many accounts from one address or at one account
# from many. The per-account limit stays above AXES_FAILURE_LIMIT so that the lockout page
# is what a guesser meets, and high enough that strangers cannot keep a citizen locked out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/m/ip,20/15m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Samskab")
USERSESSIONS_TRACK_ACTIVITY = True

SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True  # a broker without e-mail leads to a form asking for one
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# MitID through a commercial OpenID Connect broker (Signaturgruppen, Idura/Criipto); the
# provider is samskab/accounts/mitid. The broker's pseudonymous subject is stored; a CPR
# number never is. MITID_OIDC_SERVER_URL is the broker's issuer URL.
MITID_OIDC_SERVER_URL = env_str("MITID_OIDC_SERVER_URL")
MITID_OIDC_CLIENT_ID = env_str("MITID_OIDC_CLIENT_ID")
MITID_OIDC_CLIENT_SECRET = env_str("MITID_OIDC_CLIENT_SECRET")
MITID_OIDC_NAME = env_str("MITID_OIDC_NAME", "MitID")
# How the broker writes the NSIS levels (accounts/mitid/levels.py): "nsis" (Signaturgruppen /
# Nets eID Broker), "idura" (Idura/Criipto Verify) or "signicat" (Signicat eID Hub).
MITID_OIDC_BROKER = env_str("MITID_OIDC_BROKER", "nsis")
if MITID_OIDC_BROKER not in BROKER_ACR:
    raise ConfigurationError(f"MITID_OIDC_BROKER must be one of {', '.join(BROKER_ACR)}")
# Assurance levels accepted from the broker, exactly as its ID tokens write `acr`; they are
# also sent as acr_values. A login at any other level is refused. A step-up asks for its own
# level and accepts only that or higher.
MITID_ACCEPTED_ACR = env_list("MITID_ACCEPTED_ACR", default=broker_acr(MITID_OIDC_BROKER))
# Which MitID login a step-up uses: "nemlogin", "broker", or empty for NemLog-in when it is
# set up and else the broker.
MITID_STEP_UP_VIA = env_str("MITID_STEP_UP_VIA")
if MITID_STEP_UP_VIA not in ("", "nemlogin", "broker"):
    raise ConfigurationError("MITID_STEP_UP_VIA must be nemlogin, broker or empty")
if PRODUCTION and MITID_OIDC_SERVER_URL and not MITID_OIDC_SERVER_URL.startswith("https://"):
    raise ConfigurationError("MITID_OIDC_SERVER_URL must be an https:// address in production")
SOCIALACCOUNT_PROVIDERS = mitid_socialaccount_providers(
    server_url=MITID_OIDC_SERVER_URL,
    client_id=MITID_OIDC_CLIENT_ID,
    secret=MITID_OIDC_CLIENT_SECRET,
    name=MITID_OIDC_NAME,
)

# MitID through NemLog-in (SAML 2.0, OIOSAML 3); samskab/accounts/nemlogin, docs/nemlog-in.md.
# NEMLOGIN_IDP_METADATA is the file with NemLog-in's metadata (integration test or
# production); our keys sign requests and decrypt assertions. A second key pair (NEXT) is
# published beside the first during a key rollover.
NEMLOGIN_IDP_METADATA = env_str("NEMLOGIN_IDP_METADATA")
NEMLOGIN_ENTITY_ID = env_str("NEMLOGIN_ENTITY_ID", SITE_URL + "/accounts/nemlogin/metadata/")
NEMLOGIN_SP_KEY_FILE = env_str("NEMLOGIN_SP_KEY_FILE")
NEMLOGIN_SP_CERT_FILE = env_str("NEMLOGIN_SP_CERT_FILE")
NEMLOGIN_SP_NEXT_KEY_FILE = env_str("NEMLOGIN_SP_NEXT_KEY_FILE")
NEMLOGIN_SP_NEXT_CERT_FILE = env_str("NEMLOGIN_SP_NEXT_CERT_FILE")
NEMLOGIN_NAME = env_str("NEMLOGIN_NAME", "MitID")
# NSIS levels accepted: Low, Substantial, High (as NemLog-in writes them).
NEMLOGIN_ACCEPTED_LOA = env_list("NEMLOGIN_ACCEPTED_LOA", default=["Substantial", "High"])
# The built-in fake NemLog-in with the demo's made-up people ("MitID (demo)"): on for
# `make run`, never in production (its keys are public).
NEMLOGIN_SIMULATOR = env_bool("NEMLOGIN_SIMULATOR", default=DEBUG and not NEMLOGIN_IDP_METADATA)
if PRODUCTION and NEMLOGIN_SIMULATOR:
    raise ConfigurationError("NEMLOGIN_SIMULATOR (the demo's fake MitID) is refused in production")
if PRODUCTION and NEMLOGIN_IDP_METADATA and not (NEMLOGIN_SP_KEY_FILE and NEMLOGIN_SP_CERT_FILE):
    raise ConfigurationError("NemLog-in needs NEMLOGIN_SP_KEY_FILE and NEMLOGIN_SP_CERT_FILE")
SOCIALACCOUNT_PROVIDERS |= nemlogin_socialaccount_providers(
    enabled=bool(NEMLOGIN_IDP_METADATA) or NEMLOGIN_SIMULATOR,
    name="MitID (demo)" if NEMLOGIN_SIMULATOR else NEMLOGIN_NAME,
)
# Residence from MitID: the CPR number NemLog-in or a broker releases (with the
# municipality's agreement) is matched against the census by its keyed hash during the
# login and dropped. The typed-number form (/konto/bopael/) is an option, off by default.
RESIDENCE_TYPED_CHECK = env_bool("RESIDENCE_TYPED_CHECK", default=False)
# With the typed check, a one-time code goes by letter (accounts/letters.py): valid this many
# days after it was requested, this many wrong tries, this many letters a person per 90 days.
RESIDENCE_LETTER_DAYS = env_int("RESIDENCE_LETTER_DAYS", 30)
RESIDENCE_LETTER_ATTEMPTS = env_int("RESIDENCE_LETTER_ATTEMPTS", 5)
RESIDENCE_LETTERS_PER_90_DAYS = env_int("RESIDENCE_LETTERS_PER_90_DAYS", 3)
# Step-up: the citizens' budget ballot asks for a MitID login at this NSIS level first
# (substantial or high; empty: any verified resident's login will do).
BUDGET_BALLOT_ASSURANCE = env_str("BUDGET_BALLOT_ASSURANCE")

# Residence verification: census identifiers are stored only as HMAC with this pepper.
CENSUS_PEPPER = env_str("CENSUS_PEPPER") or (SECRET_KEY + ":census")
if PRODUCTION and not env_str("CENSUS_PEPPER"):
    raise ConfigurationError("CENSUS_PEPPER is required in production")

# Live streaming: restream keys and meeting stream keys are stored encrypted with a key
# derived from this secret (from SECRET_KEY when unset). The encoder address staff see is
# STREAM_INGEST_URL, else rtmp://<this site's host>:1935/live.
STREAM_KEY_SECRET = env_str("STREAM_KEY_SECRET")
STREAM_INGEST_URL = env_str("STREAM_INGEST_URL")

# Social networks (samskab.social, docs/social.md): their tokens are stored encrypted with a
# key derived from this secret (from SECRET_KEY when unset). SOCIAL_ENDPOINTS replaces a
# network's API addresses (tests point them at fakes on loopback); empty in production.
SOCIAL_TOKEN_SECRET = env_str("SOCIAL_TOKEN_SECRET")
SOCIAL_ENDPOINTS: dict[str, str] = {}

# Sessions: idle timeout through the cookie's age, absolute timeout in our middleware.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout (django-axes): keyed by account and address so a town hall is not locked out whole.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "samskab.accounts.addresses.axes_username"
# A keyed pseudonym of the address, never the address itself (samskab/accounts/addresses.py).
AXES_CLIENT_IP_CALLABLE = "samskab.accounts.addresses.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
# No log of successful logins with address and browser: failures are all the lockout needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)

# Client addresses are trusted from X-Forwarded-For only when the request came through
# one of our own proxies; otherwise anyone could pick their own address.
# Addresses or ranges (CIDR: 10.0.0.0/8, fd00::/8), e.g. a load balancer's subnet.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"] if PRODUCTION else [])

# Agendas fetched from an address (webcasts.agenda_fetch) are fetched only from addresses
# public on the internet, unless their range is listed here (CIDR: 10.20.0.0/16), e.g. a
# council system on the municipality's own network; loopback and the cloud's metadata
# addresses stay closed unless listed.
AGENDA_FETCH_ALLOWED_NETWORKS = env_list("AGENDA_FETCH_ALLOWED_NETWORKS")

# Operations (docs/deployment.md, "Health and metrics"). /metrics answers the addresses or
# ranges in METRICS_ALLOWED (the client address, as TRUSTED_PROXIES work it out) or a request
# with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED = env_list("METRICS_ALLOWED", default=["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN")
# /readyz: a worker heartbeat older than this is reported; it fails the probe only with
# READYZ_REQUIRE_WORKER (a dead worker should page someone, not take every web node out).
READYZ_WORKER_MAX_AGE = env_int("READYZ_WORKER_MAX_AGE", 60)
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", default=False)
# Error reports to Sentry when SENTRY_DSN is set and sentry-sdk is installed (pip install
# samskab[sentry]); no personal data is sent (send_default_pii off).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        raise ConfigurationError("SENTRY_DSN is set but sentry-sdk is not installed") from None
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=SAMSKAB_ENV,
        send_default_pii=False,
        traces_sample_rate=0.0,
    )

# Internationalisation: Danish first, English second.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Static files are served by WhiteNoise from the ASGI process; media from MEDIA_ROOT.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# A meeting's files are checked by the app, then sent by nginx from this internal location
# (X-Accel-Redirect, docs/deploy/nginx.conf); empty: the app sends them itself.
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "/internal-media/" if PRODUCTION else "")
# Recordings: uploaded originals and hidden recordings, never served (docs/recordings.md).
RECORDINGS_PRIVATE_ROOT = env_str("RECORDINGS_PRIVATE_ROOT", "")
RECORDINGS_MAX_UPLOAD_MB = env_int("RECORDINGS_MAX_UPLOAD_MB", 8 * 1024)
# A folder where `samskab demo` keeps the test-pattern video it generates, to copy instead of
# encoding it again for the next demo site (the browser tests build several). Off when empty.
DEMO_VIDEO_CACHE = env_str("DEMO_VIDEO_CACHE", "")
# Media on S3-compatible object storage (docs/deploy/object-storage.md): MEDIA_STORAGE=s3
# keeps every medium in buckets (the media bucket and, for uploaded masters and hidden
# recordings, the private one; the same bucket with two prefixes is fine), with MEDIA_ROOT
# and the private root as each host's local working folders. Default: the local disk.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "files")
if MEDIA_STORAGE not in {"files", "s3"}:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'files' or 's3'.")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL", "")  # empty: AWS itself
S3_REGION = env_str("S3_REGION", "")
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID", "")  # empty: boto3's own chain (IAM role)
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY", "")
S3_BUCKET = env_str("S3_BUCKET", "")
S3_PRIVATE_BUCKET = env_str("S3_PRIVATE_BUCKET", "") or S3_BUCKET
S3_MEDIA_PREFIX = env_str("S3_MEDIA_PREFIX", "media")
S3_PRIVATE_PREFIX = env_str("S3_PRIVATE_PREFIX", "private")
# How long a signed address nginx fetches an object through stays valid.
S3_SIGNED_URL_SECONDS = env_int("S3_SIGNED_URL_SECONDS", 300)
if MEDIA_STORAGE == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")


def s3_storage(bucket: str, prefix: str) -> dict:
    """One STORAGES entry for a bucket and prefix (django-storages' S3 backend)."""
    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "default_acl": None,  # the bucket's own, private; never public-read
        "querystring_auth": True,
        "querystring_expire": S3_SIGNED_URL_SECONDS,
        "file_overwrite": False,
        "object_parameters": {"CacheControl": "public, max-age=86400"},
        "endpoint_url": S3_ENDPOINT_URL or None,
        "region_name": S3_REGION or None,
        "access_key": S3_ACCESS_KEY_ID or None,
        "secret_key": S3_SECRET_ACCESS_KEY or None,
    }
    return {"BACKEND": "samskab.core.s3storage.MediaStorage", "OPTIONS": options}


STORAGES = {
    "default": s3_storage(S3_BUCKET, S3_MEDIA_PREFIX)
    if MEDIA_STORAGE == "s3"
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": s3_storage(S3_PRIVATE_BUCKET, S3_PRIVATE_PREFIX)
    if MEDIA_STORAGE == "s3"
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": RECORDINGS_PRIVATE_ROOT or str(MEDIA_ROOT.parent / "private")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: what EMAIL_URL chooses, behind a backend that counts mails for /metrics. Outside
# production the default keeps a copy for staff to read at /personale/post/ (core.mailbox).
globals().update(email_config(env_str("EMAIL_URL", "console://" if PRODUCTION else "mailbox://")))
EMAIL_DELIVERY_BACKEND = globals()["EMAIL_BACKEND"]
EMAIL_BACKEND = "samskab.core.metrics.MeteredEmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Samskab <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Viewers' feedback (samskab.feedback): where messages to the municipality go, and whether
# a sender must give name and e-mail (the municipality's choice; optional by default).
FEEDBACK_EMAIL = env_str("FEEDBACK_EMAIL", "")
FEEDBACK_REQUIRE_CONTACT = env_bool("FEEDBACK_REQUIRE_CONTACT", default=False)
# At most this many feedback e-mails to one recipient an hour; the rest wait in the inbox,
# marked, for staff to read and send on (feedback/services.py).
FEEDBACK_MAILS_PER_RECIPIENT = env_str("FEEDBACK_MAILS_PER_RECIPIENT", "10/h")

# Debates (samskab.debates): the share of a debate's votes that may come from accounts not
# verified as residents (CONSUL's max_ratio_anon_votes_on_debates; 100 turns it off), from
# this many votes on (below it the share means little).
DEBATES_MAX_UNVERIFIED_VOTE_PERCENT = env_int("DEBATES_MAX_UNVERIFIED_VOTE_PERCENT", 50)
DEBATES_UNVERIFIED_CAP_FROM_VOTES = env_int("DEBATES_UNVERIFIED_CAP_FROM_VOTES", 20)

# Citizens' proposals (samskab.proposals): a proposal succeeds at this many supports from
# verified residents, or, when PROPOSALS_SUPPORTS_NEEDED_PER_MILLE is above 0 and a census
# is loaded, at that share of the census' residents of 16 and over (Madrid: 20, i.e. 2 %).
PROPOSALS_SUPPORTS_NEEDED = env_int("PROPOSALS_SUPPORTS_NEEDED", 100)
PROPOSALS_SUPPORTS_NEEDED_PER_MILLE = env_int("PROPOSALS_SUPPORTS_NEEDED_PER_MILLE", 0)
# A proposal that has not succeeded is archived this many months after it was made.
PROPOSALS_ARCHIVE_MONTHS = env_int("PROPOSALS_ARCHIVE_MONTHS", 12)
# An author may write to the supporters of a proposal once in this many days.
PROPOSALS_MESSAGE_INTERVAL_DAYS = env_int("PROPOSALS_MESSAGE_INTERVAL_DAYS", 3)
# Usage statistics (samskab.stats): the ingest keeps events in memory and writes them in one
# insert of this many, or after this many seconds, whichever comes first.
STATS_FLUSH_EVENTS = env_int("STATS_FLUSH_EVENTS", 1 if TESTING else 200)
STATS_FLUSH_SECONDS = env_int("STATS_FLUSH_SECONDS", 2)

# Security: no inline script or style anywhere (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        # Video links in comments load from these only after the visitor clicks to agree.
        "frame-src": ["'self'", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Pages are never framed; the embeddable player (W7) opts out per view.
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "samskab.core.errors.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise for the whole registered domain (kommune.dk, not just
    # deltag.kommune.dk), so the municipality opts in (security review I3).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Django warns that the site cannot be preloaded; that is the municipality's choice.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Rate limits for visitors' writes (samskab.core.ratelimit); off only where a test says so.
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", default=True)
# Each limit also holds per address (generous; docs/security.md lists them). A town hall that
# needs more raises a group's address ceiling, e.g. "poll-vote=600/h,survey-answer=400/h".
RATELIMIT_ADDRESS_RATES = dict(
    item.split("=", 1) for item in env_list("RATELIMIT_ADDRESS_RATES") if "=" in item
)
# How many new viewer cookies one address is given an hour; beyond it, the browsers without
# one share the address as their identity until the hour has passed (core/viewer.py).
VIEWER_TOKENS_PER_ADDRESS = env_str("VIEWER_TOKENS_PER_ADDRESS", "300/h")

# The signed viewer cookie that identifies a visitor without an account.
VIEWER_COOKIE_NAME = "samskab_viewer"
VIEWER_COOKIE_AGE = 365 * 24 * 60 * 60

NINJA_PAGINATION_PER_PAGE = 50
# No page of the API is longer than this, whatever `limit` asks (security L1).
NINJA_PAGINATION_MAX_LIMIT = 100

# Moderation: reports from this many signed-in accounts send a published post back to the
# moderators' queue. Reports without an account are shown to moderators but never hide a post.
MODERATION_REPORTS_TO_QUEUE = env_int("MODERATION_REPORTS_TO_QUEUE", 3)

# Logs to standard error with UTC timestamps and the request id; LOG_FORMAT=json writes one
# JSON object a line for a log shipper. `samskab serve` sends uvicorn's lines here too.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ConfigurationError(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "samskab.core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "samskab.core.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "samskab.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # pysaml2 logs subjects and whole assertions below ERROR: personal data stays out of
        # the log (NemLog-in's refusals are logged by samskab.accounts.nemlogin, reason only).
        "saml2": {"level": "ERROR"},
        "xmlschema": {"level": "WARNING"},
    },
}
