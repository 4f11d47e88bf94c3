"""The modal that picks what kind of record to start and from which template."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

TEMPLATE_LABELS: dict[str, str] = {
    "nygard": "Nygard (Context / Decision / Consequences)",
    "madr": "MADR (options, outcome, pros and cons)",
    "runbook": "Meaning / Impact / Diagnosis / Mitigation / Escalation",
}
"""Readable descriptions of well-known template names."""


@dataclass(frozen=True)
class TemplateChoice:
    """A record kind and one of its templates."""

    kind: str
    template: str

    @property
    def label(self) -> str:
        """Return the option text, e.g. ``decision — MADR (options, …)``."""
        return f"{self.kind} — {TEMPLATE_LABELS.get(self.template, self.template)}"


def template_choices(templates: dict[str, list[str]]) -> list[TemplateChoice]:
    """Return one choice per (kind, template), decisions first."""
    order = {"decision": 0, "runbook": 1}
    kinds = sorted(templates, key=lambda kind: (order.get(kind, 9), kind))
    return [TemplateChoice(kind, name) for kind in kinds for name in templates[kind]]


class TemplatePicker(ModalScreen[TemplateChoice | None]):
    """List every template; Enter picks one, escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="template-cancel", tooltip="Close without starting a record."),
    ]

    def __init__(self, choices: list[TemplateChoice]) -> None:
        super().__init__(id="template-picker")
        self.choices = choices
        """The templates offered, in list order."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("New record from a template", classes="dialog-title")
            yield OptionList(
                *[Option(choice.label, id=f"{choice.kind}:{choice.template}") for choice in self.choices],
                id="template-options",
            )

    @on(OptionList.OptionSelected)
    def _pick(self, event: OptionList.OptionSelected) -> None:
        """Answer with the selected template."""
        event.stop()
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        """Answer None."""
        self.dismiss(None)
