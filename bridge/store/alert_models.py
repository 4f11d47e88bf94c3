"""SQLModel table of alerting rules read from Prometheus rule files, with each rule's link to a runbook."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


class AlertRuleRow(SQLModel, table=True):
    """One alerting rule as written in a rule file, its git history summary and its link to a runbook."""

    __tablename__ = "alert_rule"
    __table_args__ = (Index("ix_alert_rule_file", "source_root", "source_path"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    group_name: str = ""
    expr: str = ""
    duration: str = ""
    severity: str = Field(default="", index=True)
    labels: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    annotations: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    runbook_url: str = ""
    source_root: str = ""
    """Absolute path of the folder the rule file was imported from."""
    source_path: str = ""
    """The rule file's path relative to source_root."""
    document: int = 0
    position: int = 0
    state: str = Field(default="missing", index=True)
    """linked, dead, missing or suggested."""
    runbook_key: str | None = Field(default=None, index=True)
    link_reason: str = ""
    commits: int = 0
    last_author: str = ""
    last_changed: datetime | None = None
