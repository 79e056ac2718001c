"""Every settings schema, one module per section; `Settings` holds them all.

This package imports no feature module (only the standard library, pydantic, itself and the
vocabularies of monitor/vocab.py), so any part of the program can read its own section
without loading the others. Features import
their section from here; monitor/settings.py reads the file and the environment.
"""

from monitor.config.alerts import (
    RULES,
    AlertSettings,
    DeliverySettings,
    QuietHours,
    RouteSettings,
    RuleSettings,
    SpikeSettings,
)
from monitor.config.audit import AuditSettings
from monitor.config.auth import AuthSettings, SsoSettings
from monitor.config.clearance import ACTIONS, Action, ClearanceSettings, OrderSystemSettings
from monitor.config.impostors import (
    BrandSettings,
    FetchSettings,
    ImpostorSettings,
    ImpostorWeights,
)
from monitor.config.replies import ReplySettings
from monitor.config.reports import WEEKDAYS, ReportSettings
from monitor.config.runtime import (
    DashboardSettings,
    DatabaseSettings,
    DemoSettings,
    SchedulerSettings,
)
from monitor.config.scoring import ModelSettings, StakesSettings, UrgencySettings
from monitor.config.settings import DEFAULT_CONFIG, PROJECT_ROOT, Settings
from monitor.config.sla import SlaSettings
from monitor.config.sources import SourceConfig

__all__ = [
    "ACTIONS",
    "DEFAULT_CONFIG",
    "PROJECT_ROOT",
    "RULES",
    "WEEKDAYS",
    "Action",
    "AlertSettings",
    "AuditSettings",
    "AuthSettings",
    "BrandSettings",
    "ClearanceSettings",
    "DashboardSettings",
    "DatabaseSettings",
    "DeliverySettings",
    "DemoSettings",
    "FetchSettings",
    "ImpostorSettings",
    "ImpostorWeights",
    "ModelSettings",
    "OrderSystemSettings",
    "QuietHours",
    "ReplySettings",
    "ReportSettings",
    "RouteSettings",
    "RuleSettings",
    "SchedulerSettings",
    "Settings",
    "SlaSettings",
    "SourceConfig",
    "SpikeSettings",
    "SsoSettings",
    "StakesSettings",
    "UrgencySettings",
]
