"""Knowledge side of the workspace: who knows what, bus factor, departures, reports, onboarding."""

from __future__ import annotations


class KnowledgeMixin:
    """Knowledge methods of Workspace (owned by the knowledge work; see docs/bus-factor.md)."""
