"""One typed Settings object, read once from a TOML file plus environment overrides.

Secrets (API tokens, webhook URLs with keys) are read only from the environment. A bad value
stops start-up with a message naming the key and the fix, instead of failing later mid-poll.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from monitor.alerts.config import AlertSettings
from monitor.auth.settings import AuthSettings
from monitor.cases.policy import ClearanceSettings
from monitor.db.engine import AuditKey
from monitor.errors import UserFacingError
from monitor.impostors.config import BrandSettings, ImpostorSettings
from monitor.reports.config import ReportSettings
from monitor.sources.registry import SourceConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "monitor.toml"


class SettingsError(UserFacingError):
    """The configuration is unusable; the message names the key and how to fix it."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    # Relative SQLite paths are resolved against the current directory.
    url: str = "sqlite:///var/monitor.db"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                "must be a sqlite:/// path or a postgresql:// URL "
                "(e.g. postgresql://user@127.0.0.1:5432/monitor)"
            )
        return value


class ModelSettings(_Section):
    backend: Literal["multitask", "huggingface"] = "multitask"
    # Folder of the committed multi-task artifact; relative paths are inside the package.
    artifact: str = "minilm-mt-v6"
    runtime: Literal["onnx-int8", "torch"] = "onnx-int8"
    batch_size: int = Field(64, ge=1, le=1024)
    threads: int | None = Field(None, ge=1, le=256)
    cache_dir: str | None = None
    # Folder of the trained topic head (relative: inside the package's artifacts); "" routes
    # by keywords only. Used with backend = "multitask" (it reads that encoder's embedding).
    topic_head: str = "topics-v1"
    # For backend = "huggingface": a hub id or local path, and its label names mapped to ours.
    checkpoint: str | None = None
    label_map: dict[str, Literal["negative", "neutral", "positive"]] = Field(default_factory=dict)


class UrgencySettings(_Section):
    """Weights are points on the 0-100 urgency scale; see monitor/scoring/urgency.py."""

    # How the customer feels counts less than what is at stake: on the hand-labelled dev
    # tweets, tone-heavy weights ranked rants above calm posts with real stakes (weights set
    # by a coarse grid search on dev only; see MODEL_CARD.md). Severity still leads the tone.
    negative: float = 8.0
    complaint: float = 4.0
    severity: float = 12.0
    human_request: float = 12.0
    high_value: float = 15.0
    money_mentioned: float = 6.0
    order_number: float = 5.0
    repeat_contact: float = 6.0  # per earlier contact in the window, capped at 3
    repeat_window_hours: float = Field(24.0, gt=0)
    reach: float = 8.0  # at `reach_followers` followers or verified
    reach_followers: int = Field(50_000, ge=1)
    public_post: float = 4.0
    waiting: float = 8.0  # reached after `waiting_hours` without a reply
    waiting_hours: float = Field(4.0, gt=0)
    high_value_threshold: float = Field(500.0, ge=0)
    # What is at stake (see monitor/scoring/stakes.py and [stakes] for how each is found).
    time_pressure: float = 28.0
    essential_need: float = 36.0
    account_compromise: float = 48.0
    money_taken: float = 44.0
    legal_threat: float = 36.0
    safety: float = 44.0
    access_loss: float = 32.0
    churn: float = 16.0


class StakesSettings(_Section):
    """Exemplar phrases per stake; a post whose sentence embedding is close to one of them
    carries that stake even when none of the floor keywords appear. Add your own phrases."""

    # Cosine similarity (in the encoder's centred embedding space) where a stake starts to
    # count, and how far above it the stake reaches full weight.
    similarity: float = Field(0.35, ge=-1, le=1)
    ramp: float = Field(0.15, gt=0, le=2)
    # A stake listed here replaces its default phrases (copy them to keep them); stakes not
    # listed keep the defaults below.
    exemplars: dict[str, list[str]] = Field(default_factory=lambda: dict(_DEFAULT_EXEMPLARS))

    @field_validator("exemplars")
    @classmethod
    def _known_stakes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(_DEFAULT_EXEMPLARS))
        if unknown:
            raise ValueError(
                f"unknown stake {unknown[0]!r}; choose from {', '.join(_DEFAULT_EXEMPLARS)}"
            )
        return _DEFAULT_EXEMPLARS | value


_DEFAULT_EXEMPLARS: dict[str, list[str]] = {
    "time_pressure": [
        "I need it today, it is urgent",
        "I need this sorted before tomorrow morning",
        "my flight leaves in two hours and I need help now",
        "it was for my son's birthday tomorrow and it still hasn't come",
        "need this by tonight please help asap",
        "the event is this weekend and I still don't have it",
    ],
    "essential_need": [
        "my medication has not arrived and I am running out",
        "my insulin delivery is late and I have none left",
        "the baby formula never came and my baby needs feeding",
        "I am disabled and cannot go out to get it",
        "my elderly mother depends on this delivery",
        "my wheelchair part is missing",
    ],
    "account_compromise": [
        "someone logged into my account and changed my password",
        "I got a verification code I never requested",
        "there are orders on my account that I did not place",
        "my account was hacked",
        "someone is using my account",
        "I got an email about a login from a device that isn't mine",
    ],
    "money_taken": [
        "I was charged for something I never ordered",
        "money was taken from my card without my permission",
        "there is a payment on my statement I do not recognise",
        "you took money out of my account without asking",
        "charged me for a subscription I never signed up for",
    ],
    "legal_threat": [
        "I will take legal action against you",
        "I am reporting this to my bank and disputing the charge",
        "I am filing a complaint with the consumer protection agency",
        "my lawyer will be in touch",
        "I will report you to the authorities",
    ],
    "safety": [
        "the product caught fire and burned my hand",
        "the delivery driver damaged my property",
        "this is dangerous, someone could get hurt",
        "the charger started smoking and nearly set the house on fire",
        "my child got hurt by this toy",
    ],
    "access_loss": [
        "my account has been locked for days and I cannot log in",
        "I cannot access my account",
        "my money is stuck in my wallet and I cannot use it",
        "you suspended my account for no reason",
        "it keeps saying my account is disabled",
    ],
    "churn": [
        "I am cancelling my membership",
        "I will never shop with you again",
        "I am switching to your competitor",
        "done with this company, closing my account",
        "telling all my friends to stay away",
    ],
}


class ScoringSettings(_Section):
    sla_hours_public: float = Field(1.0, gt=0)
    sla_hours_private: float = Field(4.0, gt=0)
    # Urgency at or above which a case's SLA is shortened to a quarter.
    critical_urgency: float = Field(80.0, ge=0, le=100)


class SchedulerSettings(_Section):
    score_seconds: float = Field(10.0, gt=0)  # how often new posts are scored
    alerts_seconds: float = Field(30.0, gt=0)  # alert rules, SLA checks and delivery
    reports_seconds: float = Field(300.0, gt=0)  # checks whether a scheduled report is due
    impostors_seconds: float = Field(60.0, gt=0)  # impostor checks of third-party replies
    # Polls in a row failing with a passing error (timeout, 5xx) that make a source unhealthy.
    unhealthy_after_failures: int = Field(3, ge=1, le=1000)


class ReplySettings(_Section):
    # True: replies are recorded in the outbox as sent and no platform API is called (demo,
    # training). False: each reply goes out through the source that collected the post.
    outbox_only: bool = False
    # Sending from the outbox (see monitor/outbound.py): attempts before a reply is marked
    # failed, the backoff between them, and when a claim by a stopped process counts as
    # abandoned (the reply then waits as "unknown" for someone to check the platform).
    max_attempts: int = Field(5, ge=1, le=50)
    backoff_seconds: float = Field(60.0, ge=0)
    backoff_max_seconds: float = Field(3600.0, ge=0)
    stale_claim_minutes: float = Field(10.0, gt=0)
    # Sites other than the brand's own ([brand] domains) that replies may link to without a
    # warning, e.g. a carrier's tracking site. Look-alike and sign-in links are always refused.
    link_domains: tuple[str, ...] = ()


class DemoSettings(_Section):
    seed: int = 7
    customers: int = Field(60, ge=1)
    posts: int = Field(300, ge=1)
    days: int = Field(5, ge=1)


class AuditSettings(_Section):
    # Environment variable holding the audit log's HMAC key (at least 32 characters). Without
    # it entries are only hash-chained, and `monitor audit verify` says so.
    hmac_key_env: str = "MONITOR_AUDIT_KEY"
    # Where `monitor audit checkpoint` writes the chain's head, and/or an alert route name that
    # receives it; keep the file somewhere the database's users cannot write.
    checkpoint_file: str | None = None
    checkpoint_route: str | None = None
    # Id of the first entry written with the key. Only for a log that existed before the key
    # was set: every entry from this id on must be signed (default: all of them).
    hmac_signed_from: int = Field(1, ge=1)

    def hmac_key(self) -> AuditKey | None:
        """The key from the environment, or None when unset; a short key stops start-up."""
        value = os.environ.get(self.hmac_key_env, "")
        if not value:
            return None
        if len(value) < 32:
            raise SettingsError(
                f"{self.hmac_key_env} (audit.hmac_key_env) must have at least 32 characters: "
                'generate one with `python -c "import secrets; print(secrets.token_hex(32))"`'
            )
        return AuditKey(value.encode("utf-8"), self.hmac_signed_from)


class DashboardSettings(_Section):
    port: int = Field(8501, ge=1, le=65535)
    # Where `monitor dashboard` listens: localhost unless you publish it on purpose (behind
    # a reverse proxy with TLS on the same machine, or "0.0.0.0" on a trusted network).
    address: str = "127.0.0.1"
    page_size: int = Field(50, ge=5, le=1000)
    refresh_seconds: float = Field(30.0, ge=1, le=3600)  # how often the Queue table refreshes
    # What the browser sees of an unexpected error: "none" shows a generic message (details go
    # to the server log only); "full" shows tracebacks, for development.
    error_details: Literal["none", "type", "stacktrace", "full"] = "none"


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    model: ModelSettings = ModelSettings()
    urgency: UrgencySettings = UrgencySettings()
    stakes: StakesSettings = StakesSettings()
    scoring: ScoringSettings = ScoringSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    replies: ReplySettings = ReplySettings()
    sources: list[SourceConfig] = Field(default_factory=list)
    demo: DemoSettings = DemoSettings()
    dashboard: DashboardSettings = DashboardSettings()
    audit: AuditSettings = AuditSettings()
    clearance: ClearanceSettings = ClearanceSettings()
    auth: AuthSettings = AuthSettings()
    alerts: AlertSettings = AlertSettings()
    reports: ReportSettings = ReportSettings()
    brand: BrandSettings = BrandSettings()
    impostors: ImpostorSettings = ImpostorSettings()
    data_dir: str = str(PROJECT_ROOT.parent / "shared" / "data")
    source_file: str = ""  # the file these settings came from, for messages

    @property
    def data_path(self) -> Path:
        """The labelled-data folder; a relative path is taken from the project folder."""
        path = Path(self.data_dir).expanduser()
        return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


# Environment variables that override single keys: name -> dotted key.
ENV_OVERRIDES = {
    "MONITOR_DATABASE_URL": "database.url",
    "MONITOR_MODEL_RUNTIME": "model.runtime",
    "MONITOR_MODEL_CACHE_DIR": "model.cache_dir",
    "MONITOR_DATA_DIR": "data_dir",
}


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def _describe(error: dict[str, Any], config_path: Path) -> str:
    key = ".".join(str(part) for part in error["loc"])
    env = next((name for name, dotted in ENV_OVERRIDES.items() if dotted == key), None)
    where = f"in {config_path}" + (f" or the {env} environment variable" if env else "")
    if error["type"] == "extra_forbidden":
        return f"unknown setting `{key}` {where}: remove it or check its spelling"
    got = error.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"setting `{key}` {where}: {error['msg']}{shown}"


def load_settings(path: str | Path | None = None) -> Settings:
    """Read settings from `path`, `$MONITOR_CONFIG` or config/monitor.toml, then the environment."""
    chosen = path or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG
    config_path = Path(chosen).expanduser()
    if not config_path.is_file():
        raise SettingsError(
            f"config file {config_path} not found: pass --config PATH or set MONITOR_CONFIG"
        )
    try:
        tree: dict[str, Any] = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"config file {config_path} is not valid TOML: {exc}") from exc
    for name, dotted in ENV_OVERRIDES.items():
        if os.environ.get(name):
            _set_dotted(tree, dotted, os.environ[name])
    tree["source_file"] = str(config_path)
    try:
        return Settings.model_validate(tree)
    except ValidationError as exc:
        problems = [_describe(dict(e), config_path) for e in exc.errors()]
        if len(problems) == 1:  # the usual case: one line
            raise SettingsError(f"invalid configuration: {problems[0]}") from exc
        listed = "\n  ".join(problems)
        raise SettingsError(f"invalid configuration:\n  {listed}") from exc
