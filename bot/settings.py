"""Settings, parsed once at start from the environment and an optional `.env`.

A missing or invalid value stops the program with one line naming the setting
(`ConfigError`). Nothing here runs at import time.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.engine import DatabaseUnavailable, check_url, folder_reason

log = logging.getLogger(__name__)

DEFAULT_PROFILE = Path(__file__).parent / "profiles" / "banjarbaru.toml"
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it in one line."""


class Settings(BaseSettings):
    """Every setting the program reads. Names match DESIGN.md; they are public."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str | None = None
    data_dir: Path = Path("data")
    agency_profile: Path = DEFAULT_PROFILE
    secret_key: str | None = Field(default=None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    form_idle_hours: float = Field(default=24.0, gt=0)
    # The language of officer commands' output (tables, headers, statuses): id or en.
    officer_locale: Literal["id", "en"] = "id"
    # Trainings: how long the first person on a waiting list has to accept a freed seat (never past
    # the start; counted from the end of quiet hours when the seat frees during them).
    training_offer_hours: float = Field(default=24.0, gt=0)

    # Outbox (announcements, reminders): per-channel rate limits, the sweep and its leases.
    outbox_telegram_per_second: float = Field(default=25.0, gt=0)
    outbox_telegram_per_chat_seconds: float = Field(default=1.0, ge=0)
    outbox_whatsapp_per_second: float = Field(default=60.0, gt=0)
    outbox_whatsapp_per_user_seconds: float = Field(default=6.0, ge=0)
    outbox_sweep_seconds: float = Field(default=3.0, gt=0)
    outbox_batch: int = Field(default=100, ge=1, le=10_000)
    outbox_in_flight: int = Field(default=8, ge=1, le=256)
    outbox_lease_seconds: float = Field(default=60.0, gt=0)
    outbox_sender_lease_seconds: float = Field(default=30.0, gt=0)

    telegram_bot_token: str | None = Field(default=None, repr=False)
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = Field(default=None, repr=False)

    whatsapp_access_token: str | None = Field(default=None, repr=False)
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = Field(default=None, repr=False)
    whatsapp_verify_token: str | None = Field(default=None, repr=False)
    whatsapp_api_base_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"

    # The public base URL of the HTTP server (voucher QR links, dashboard links); https makes the
    # dashboard's session cookie Secure.
    public_url: str | None = None

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or value[-3:] == "://":
            raise ValueError("must be an http:// or https:// URL, like https://umkm.banjarbarukota.go.id")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under DATA_DIR."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'umkm.sqlite3').resolve()}"

    @property
    def database_setting(self) -> str:
        """The setting that says where the database is: DATABASE_URL, or DATA_DIR for the embedded
        SQLite file under it."""
        return "DATABASE_URL" if self.database_url else "DATA_DIR"

    @property
    def effective_public_url(self) -> str:
        """PUBLIC_URL, or this server's own address (fine on one machine, not for phones)."""
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_access_token)


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` and `sqlite:///` forms and pick the async drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@contextlib.contextmanager
def opening_database(settings: Settings) -> Iterator[None]:
    """Where a command first opens its database: one that cannot be opened stops the program
    with one line naming the setting that points at it, and why (storage's DatabaseUnavailable)."""
    try:
        yield
    except DatabaseUnavailable as exc:
        raise ConfigError(f"{settings.database_setting}: {exc}") from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]).upper() if error["loc"] else "settings"
    return f"{name}: {error['msg']}"


def _check_channels(settings: Settings) -> None:
    if settings.whatsapp_enabled:
        for name in ("whatsapp_phone_number_id", "whatsapp_app_secret", "whatsapp_verify_token"):
            if not getattr(settings, name):
                raise ConfigError(f"{name.upper()} is required when WHATSAPP_ACCESS_TOKEN is set")
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
    if not settings.agency_profile.is_file():
        raise ConfigError(f"AGENCY_PROFILE: no such file: {settings.agency_profile}")


def _check_database_url(settings: Settings) -> None:
    if settings.database_url:
        try:
            check_url(settings.effective_database_url)
        except ValueError as exc:  # the reason never repeats the URL: it may hold a password
            raise ConfigError(f"DATABASE_URL: {exc}") from None


def _ensure_secret_key(settings: Settings) -> Settings:
    if settings.secret_key:
        if len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(f"SECRET_KEY: must be at least {MIN_SECRET_KEY_LENGTH} characters")
        return settings
    path = settings.data_dir / SECRET_KEY_FILE
    try:
        # is_file() itself fails on a DATA_DIR the process may not look into (EACCES).
        key = path.read_text(encoding="ascii").strip() if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII text"
        raise ConfigError(f"DATA_DIR: cannot read the secret key {path} ({reason})") from exc
    if key is not None:
        if not key:
            raise ConfigError(f"DATA_DIR: the secret key file {path} is empty")
        return settings.model_copy(update={"secret_key": key})
    key = secrets.token_urlsafe(48)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        try:
            path.write_text(key + "\n", encoding="ascii")
        except OSError:
            path.unlink(missing_ok=True)  # no empty key file for the next start to read
            raise
    except OSError as exc:
        raise ConfigError(
            f"DATA_DIR: cannot store a generated secret key in {settings.data_dir} "
            f"({folder_reason(settings.data_dir, exc)}); set SECRET_KEY or make DATA_DIR a writable folder"
        ) from exc
    log.warning("settings.secret_key_generated", extra={"path": str(path)})
    return settings.model_copy(update={"secret_key": key})


def load_settings(**overrides: object) -> Settings:
    """Parse the settings once; raise `ConfigError` naming the first bad setting."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None
    _check_channels(settings)
    _check_database_url(settings)
    return _ensure_secret_key(settings)
