"""Typed settings from the environment, built by the CLI or the app factory, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# The secret an earlier version used by default outside production. It is public (it is in
# this file), so it is refused wherever someone still configures it; it is never used.
DEMO_SECRET = "inkubators-demo-secret-not-for-production"
SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    """Where the database and the declared files are, and how the web app runs."""

    model_config = SettingsConfigDict(env_prefix="INKUBATORS_", extra="ignore")

    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "INKUBATORS_DATABASE_URL")
    )
    states_dir: Path = ROOT / "states"
    policy_dir: Path = ROOT / "policies"
    instance_dir: Path = ROOT / "instance"
    secret_key: str = ""
    mode: Literal["production", "demo", "test"] = "production"
    idle_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    secure_cookies: bool = False
    #: the Ed25519 key that signs audit checkpoints; a file outside the database, mode 0600
    signing_key_file: Path | None = None
    #: where the web app keeps hashed and compressed copies of its static files
    #: (content-addressed, safe to share); empty: ``instance_dir/static``
    static_cache_dir: Path | None = None
    #: where documents' files are kept (content-addressed); empty: ``instance_dir/documents``
    documents_dir: Path | None = None
    #: clamd's unix socket: uploads are scanned there and infected ones refused; empty: off
    clamd_socket: Path | None = None
    #: if set, ``GET /metrics`` needs ``Authorization: Bearer`` with this value
    metrics_token: str = ""
    #: ``files``: at startup this host's rules files are activated (one host);
    #: ``database``: every host starts with and follows the newest activation stored in
    #: the database, and its files are activated only when edited (several hosts)
    rules_follow: Literal["files", "database"] = "files"
    #: how often each process asks the database whether newer rules were activated
    rules_poll_seconds: float = Field(default=2.0, ge=0, le=3600)
    #: the server's log level; WARNING leaves out the access lines
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    def resolved_database_url(self) -> str:
        """``DATABASE_URL`` or the SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.instance_dir / 'inkubators.sqlite3'}"

    def resolved_static_cache_dir(self) -> Path:
        """``static_cache_dir`` or the ``static`` folder in the instance folder."""
        return self.static_cache_dir or self.instance_dir / "static"
