"""Unanswered questions: searches that found nothing, grouped; choosing one starts a runbook titled with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from bridge.errors import BridgeError
from bridge.tui.messages import describe_exception
from bridge.tui.typed_app import BridgeAppAccess

if TYPE_CHECKING:
    from bridge.usage_types import GapCluster


class GapsScreen(BridgeAppAccess, ModalScreen[str | None]):
    """List the unanswered questions, most asked first; enter answers with the chosen question."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="gaps-cancel", tooltip="Close without starting a record."),
    ]

    @dataclass
    class Loaded(Message):
        """The clusters were computed."""

        clusters: list[GapCluster]

    @dataclass
    class Failed(Message):
        """The clusters could not be computed."""

        error: str

    def __init__(self) -> None:
        super().__init__(id="gaps-screen")
        self.clusters: list[GapCluster] = []
        """The clusters shown, most asked first."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unanswered questions — enter starts a runbook titled with the question",
                        classes="dialog-title")
            yield Label("Grouping searches that found nothing…", id="gaps-status", classes="dialog-body")
            yield OptionList(id="gaps")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="gaps", description="Grouping unanswered searches")
    def _load(self) -> None:
        """Compute the clusters in a thread (loads the model)."""
        try:
            clusters = self.bridge_app.require_workspace().gaps()  # type: ignore[attr-defined]
        except BridgeError as exc:
            self.post_message(self.Failed(describe_exception(exc)))
            return
        self.post_message(self.Loaded(clusters))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        """Fill the list."""
        self.clusters = message.clusters
        options = self.query_one("#gaps", OptionList)
        options.clear_options()
        for index, cluster in enumerate(message.clusters):
            best = "—" if cluster.best_score is None else f"{cluster.best_score:.2f}"
            options.add_option(Option(f"{escape(cluster.question)}  [dim]asked {cluster.count}×, best match {best}[/]",
                                      id=str(index)))
        status = f"{len(message.clusters)} questions" if message.clusters else "No unanswered searches recorded."
        self.query_one("#gaps-status", Label).update(status)
        if message.clusters:
            options.highlighted = 0
        options.focus()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        """Say why there is no list."""
        self.query_one("#gaps-status", Label).update(f"Unavailable: {message.error}")

    @on(OptionList.OptionSelected, "#gaps")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        """Answer with the chosen cluster's question."""
        event.stop()
        self.dismiss(self.clusters[int(event.option.id or 0)].question)

    def action_cancel(self) -> None:
        """Answer None."""
        self.dismiss(None)
