"""Report settings: where scheduled reports go and how often. Defaults write nothing."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, field_validator

from monitor.config.base import Section, check_timezone

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)


class ReportSettings(Section):
    # Folder for scheduled reports; relative paths start at the current directory.
    folder: str = "var/reports"
    daily: bool = False  # yesterday's report, written once per day
    weekly: bool = False  # last week's report (Monday to Sunday), written once per week
    weekly_day: Weekday = "monday"
    format: Literal["csv", "xlsx", "parquet"] = "xlsx"
    timezone: str = "UTC"  # where "yesterday" and "last week" begin and end
    # An alert route (see [alerts]) that also gets a summary when a report is written.
    route: str | None = None
    excel_row_limit: int = Field(default=1_048_576, ge=2, le=1_048_576)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)
