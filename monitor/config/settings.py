"""The whole configuration: one typed, frozen `Settings` made of the sections beside it.
Reading it from a file and the environment is monitor/settings.py."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from monitor.config.alerts import AlertSettings
from monitor.config.audit import AuditSettings
from monitor.config.auth import AuthSettings
from monitor.config.base import Section
from monitor.config.clearance import ClearanceSettings
from monitor.config.impostors import BrandSettings, ImpostorSettings
from monitor.config.replies import ReplySettings
from monitor.config.reports import ReportSettings
from monitor.config.runtime import (
    DashboardSettings,
    DatabaseSettings,
    DemoSettings,
    SchedulerSettings,
)
from monitor.config.scoring import ModelSettings, StakesSettings, UrgencySettings
from monitor.config.sla import SlaSettings
from monitor.config.sources import SourceConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "monitor.toml"


class Settings(Section):
    database: DatabaseSettings = DatabaseSettings()
    model: ModelSettings = ModelSettings()
    urgency: UrgencySettings = UrgencySettings()
    stakes: StakesSettings = StakesSettings()
    sla: SlaSettings = SlaSettings()
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
