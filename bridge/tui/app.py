"""The bridge Textual app: opens the workspace behind the first paint and routes records between screens.

``run_app(settings)`` is what ``bridge`` with no arguments calls. Every workspace call runs in a thread worker
(see ``bridge.tui.workers``) that posts a message; the handlers here own the app's state.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, InvalidThemeError
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.worker import Worker, WorkerState

from bridge.config import Settings
from bridge.errors import BridgeError
from bridge.tui.commands import DEFAULT_TEMPLATES, BridgeCommands, palette_commands
from bridge.tui.messages import (
    CatalogLoaded,
    DraftReady,
    DraftsFound,
    EditReady,
    ImportFinished,
    IndexStatusChanged,
    OpenRecord,
    QuitConfirmed,
    RecordsChanged,
    ReindexFinished,
    SyncConflictsListed,
    SyncCounted,
    SyncFinished,
    TaskFailed,
    WarmUpFailed,
    WorkProgress,
    WorkspaceFailed,
    WorkspaceOpened,
    describe_exception,
    plural,
)
from bridge.tui.screens.draft_recovery import DraftDecision, DraftRecoveryDialog
from bridge.tui.screens.editor import EditorScreen
from bridge.tui.screens.help import HelpScreen
from bridge.tui.screens.path_prompt import PathPrompt
from bridge.tui.screens.record import RecordScreen
from bridge.tui.screens.search import SearchScreen
from bridge.tui.screens.template_picker import TemplateChoice, TemplatePicker, template_choices
from bridge.tui.widgets.record_links import resolve_record_link
from bridge.tui.widgets.status_line import StatusLine
from bridge.tui.workers import WorkersMixin

if TYPE_CHECKING:
    from bridge.domain import Record
    from bridge.workspace import Workspace

LIGHT_THEME = "textual-light"
"""The theme "view: toggle theme" switches to from a dark one."""

WARM_UP_FALLBACK_SECONDS = 2.0
"""Start the warm-up after this long even if no search results were painted yet."""

class BridgeApp(WorkersMixin, App[None]):
    """Search, read, write and review runbooks and decision records from the terminal."""

    CSS_PATH = Path(__file__).with_name("bridge.tcss")
    TITLE = "bridge"
    COMMANDS: ClassVar = App.COMMANDS | {BridgeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app-quit", priority=True,
                tooltip="Quit bridge (asks first when an edit is unsaved)."),
        Binding("f1", "help", "Help", id="app-help", tooltip="List every key binding."),
        Binding("ctrl+n", "new_record", "New record", id="app-new",
                tooltip="Start a new record from a template, from any screen."),
        Binding("ctrl+g", "go_home", "Home", id="app-home", show=False, tooltip="Go back to the search screen."),
    ]

    def __init__(self, settings: Settings, *, load_demo: bool = True, warm_up: bool = True,
                 workspace: Workspace | None = None) -> None:
        super().__init__()
        self.settings = settings
        """The settings bridge was started with."""
        self.load_demo = load_demo
        """Import the demo knowledge base when the database is empty."""
        self.warm_up_enabled = warm_up
        """Load the model and vector index in the background after the first paint."""
        self.workspace: Workspace | None = workspace
        """The open knowledge base; None until the opening worker reports."""
        self.semantic_ready = False
        """Whether hybrid search is available (model and vectors loaded)."""
        self.index_summary = "opening knowledge base…"
        self.sync_summary = ""
        """Unsynced edits and conflicts, shown after the index state (empty when everything is synced)."""
        """The index state the status lines show."""
        self.catalog: list[tuple[str, str, str]] = []
        """(key, kind, title) of every record, for the palette."""
        self.templates: dict[str, list[str]] = {}
        """Template names by kind."""
        self.knowledge_available = False
        """Whether the workspace offers the bus-factor view model."""
        self.warm_up_started = False
        self._embedding_since: tuple[float, int] | None = None
        """When the warm-up's embedding progress started, and how many chunks were done then."""
        """Whether the model warm-up worker was started."""

    def on_mount(self) -> None:
        try:
            self.theme = self.settings.theme
        except InvalidThemeError:
            themes = ", ".join(sorted(self.available_themes))
            self.notify(f"theme: '{self.settings.theme}' is not a theme; use one of {themes}", severity="warning",
                        markup=False)
        self.set_keymap(self.settings.keymap)
        self.push_screen(SearchScreen())
        self.open_workspace(self.workspace)

    def require_workspace(self) -> Workspace:
        """Return the open workspace; raises BridgeError while it is still opening."""
        if self.workspace is None:
            raise BridgeError("the knowledge base is still opening; try again in a moment")
        return self.workspace

    # -- lifecycle messages --------------------------------------------------------------------------------

    @on(WorkspaceOpened)
    def _workspace_opened(self, message: WorkspaceOpened) -> None:
        """Adopt the workspace, show the user, and start searching and warming up."""
        from bridge.tui.keymap import unknown_binding_ids

        self.workspace = message.workspace
        self.knowledge_available = hasattr(message.workspace, "bus_factor_screen")
        person = message.user
        self.sub_title = f"{person.name}" + (f" <{person.emails[0]}>" if person.emails else "")
        if message.demo_imported:
            self.notify(f"Imported the demo knowledge base ({plural(message.record_count, 'record')}).")
        unknown = unknown_binding_ids(self.settings.keymap)
        if unknown:
            self.notify(f"keymap: no binding has the id {', '.join(unknown)}", severity="warning", markup=False)
        self.set_index_summary(f"{plural(message.record_count, 'record')} · keyword search")
        for screen in self.screen_stack:
            if isinstance(screen, SearchScreen):
                screen.run_search()
        self.load_catalog()
        self.count_unsynced()
        self.check_drafts()
        if not self.warm_up_enabled:
            self.load_index_status()
        elif message.workspace.warm_up_is_light():
            self.start_warm_up()  # ONNX answers queries: no torch import to hold the GIL, so start at once
        else:
            self.set_timer(WARM_UP_FALLBACK_SECONDS, self.start_warm_up)

    def start_warm_up(self) -> None:
        """Start loading the model once (the search screen calls this after its first results are painted).

        Importing torch holds the GIL for seconds, so it starts only after the first results are on screen, unless
        the cached backend decision embeds queries on ONNX (then it starts as soon as the workspace is open).
        """
        if self.warm_up_enabled and not self.warm_up_started and self.workspace is not None:
            self.warm_up_started = True
            self.warm_up()

    @on(WorkspaceFailed)
    def _workspace_failed(self, message: WorkspaceFailed) -> None:
        """Say why the knowledge base could not be opened."""
        self.set_index_summary("knowledge base not open")
        self.notify(message.error, title="Cannot open the knowledge base", severity="error", timeout=30, markup=False)

    @on(CatalogLoaded)
    def _catalog_loaded(self, message: CatalogLoaded) -> None:
        """Keep the record list and templates for the palette and the template picker."""
        self.catalog = message.records
        self.templates = message.templates

    @on(IndexStatusChanged)
    def _index_status(self, message: IndexStatusChanged) -> None:
        """Switch searches to hybrid once ready and show the index state."""
        was_ready = self.semantic_ready
        self.semantic_ready = message.semantic_ready
        sections = plural(message.sections, "section")
        if message.semantic_ready:
            self.set_index_summary(f"hybrid search · {sections} indexed")
        else:
            detail = message.detail or "semantic index loading"
            self.set_index_summary(f"keyword search · {sections} · {detail}")
        self.clear_progress()
        if message.semantic_ready and not was_ready:
            for screen in self.screen_stack:
                if isinstance(screen, SearchScreen):
                    screen.run_search()

    @on(WarmUpFailed)
    def _warm_up_failed(self, message: WarmUpFailed) -> None:
        """Keep keyword search and say why semantic search is off."""
        self.clear_progress()
        self.set_index_summary("keyword search only · semantic index unavailable")
        self.notify(message.error, title="Semantic search unavailable", severity="warning", markup=False)

    @on(WorkProgress)
    def _show_progress(self, message: WorkProgress) -> None:
        """Show background progress in every status line."""
        for line in self._status_lines():
            line.set_progress(message.done, message.total)
        if message.task == "warm-up":
            if message.total > 1:
                progress = f"{round(message.done * 100 / message.total)}%" + self._embedding_rate(message)
            else:
                progress = f"({message.what or 'starting'})"
            self.set_index_summary(f"keyword search · semantic index loading {progress}")

    def _embedding_rate(self, message: WorkProgress) -> str:
        """Return ' · N chunks/s' for embedding progress, timed from its first report."""
        import time

        if message.what != "embedding":
            return ""
        if message.done == 0 or self._embedding_since is None:
            self._embedding_since = (time.perf_counter(), message.done)
            return ""
        started, done_before = self._embedding_since
        elapsed = time.perf_counter() - started
        return f" · {(message.done - done_before) / elapsed:.0f} chunks/s" if elapsed > 0 else ""

    @on(TaskFailed)
    def _task_failed(self, message: TaskFailed) -> None:
        """Report a failed background task."""
        self.clear_progress()
        self.notify(message.error, title=f"{message.task} failed", severity="error", markup=False)

    @on(RecordsChanged)
    def _records_changed(self, message: RecordsChanged) -> None:
        """Refresh searches, open record screens and the catalog after a write."""
        keys = {key.lower() for key in message.keys}
        for screen in self.screen_stack:
            if isinstance(screen, SearchScreen):
                screen.run_search()
            elif isinstance(screen, RecordScreen) and (not keys or screen.key.lower() in keys):
                screen.reload()
        self.load_catalog()
        self.count_unsynced()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Turn an unexpected worker crash into an error notification instead of silence."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = describe_exception(event.worker.error)
            self.notify(f"{event.worker.description or event.worker.name}: {error}", severity="error", markup=False)

    # -- status lines ---------------------------------------------------------------------------------------

    def _status_lines(self) -> list[StatusLine]:
        """Return the status lines of every screen on the stack."""
        return [line for screen in self.screen_stack for line in screen.query(StatusLine)]

    def set_index_summary(self, text: str) -> None:
        """Show text as the index state in every status line."""
        self.index_summary = text
        self.refresh_status_lines()

    def refresh_status_lines(self) -> None:
        """Copy the index state into every status line (a newly mounted screen calls this)."""
        for line in self._status_lines():
            line.set_index(self.index_summary + self.sync_summary)

    def clear_progress(self) -> None:
        """Hide every progress bar."""
        for line in self._status_lines():
            line.clear_progress()

    # -- navigation -----------------------------------------------------------------------------------------

    @on(OpenRecord)
    def _open_record_message(self, message: OpenRecord) -> None:
        """Open the record a screen asked for."""
        self.open_record(message.key, message.section)

    def open_record(self, key: str, section: str = "") -> None:
        """Push a record screen for key."""
        self.push_screen(RecordScreen(key, section))

    def resolve_link(self, href: str) -> str | None:
        """Return the key of the record a body link points at, or None when it is not a known record."""
        return resolve_record_link(href, [key for key, _kind, _title in self.catalog])

    def action_go_home(self) -> None:
        """Pop back to the search screen."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, SearchScreen):
            self.pop_screen()

    def action_help(self) -> None:
        """Show every binding and palette command."""
        commands = [(command.name, command.help) for command in palette_commands(self) if command.discoverable]
        self.push_screen(HelpScreen(self.settings.keymap, commands))

    def action_toggle_theme(self) -> None:
        """Switch between the configured theme and the light one."""
        configured = self.settings.theme if self.settings.theme != LIGHT_THEME else "textual-dark"
        self.theme = LIGHT_THEME if self.theme != LIGHT_THEME else configured

    def action_bus_factor(self) -> None:
        """Open the bus-factor view."""
        from bridge.tui.screens.knowledge import KnowledgeScreen

        self.push_screen(KnowledgeScreen())

    def action_unanswered_questions(self) -> None:
        """List unanswered questions; choosing one starts a runbook titled with it."""
        from bridge.tui.screens.gaps import GapsScreen

        def chosen(question: str | None) -> None:
            if question:
                self.draft_new("runbook", None, question)

        self.push_screen(GapsScreen(), chosen)

    # -- records --------------------------------------------------------------------------------------------

    def action_new_record(self, kind: str | None = None, template: str | None = None) -> None:
        """Start a new record: from the given template, or ask which one."""
        if kind:
            self.draft_new(kind, template)
            return

        def picked(choice: TemplateChoice | None) -> None:
            if choice is not None:
                self.draft_new(choice.kind, choice.template)

        self.push_screen(TemplatePicker(template_choices(self.templates or DEFAULT_TEMPLATES)), picked)

    @on(DraftReady)
    def _draft_ready(self, message: DraftReady) -> None:
        """Open the editor on a fresh draft; a save opens the new record."""
        self.edit(message.record, base_version=0)

    def action_edit_record(self, key: str) -> None:
        """Open the editor on a stored record (resuming its autosaved draft if there is one)."""
        self.load_for_edit(key)

    @on(EditReady)
    def _edit_ready(self, message: EditReady) -> None:
        """Open the editor on a record read for editing."""
        if message.resumed:
            self.notify(f"Resumed your unsaved draft of {message.record.key}.")
        self.edit(message.record, base_version=message.base_version, resumed=message.resumed)

    def edit(self, record: Record, *, base_version: int, resumed: bool = False) -> None:
        """Push the editor; after a save, show the saved record."""

        def closed(saved: Record | None) -> None:
            if saved is not None and not any(
                isinstance(screen, RecordScreen) and screen.key.lower() == saved.key.lower()
                for screen in self.screen_stack
            ):
                self.open_record(saved.key)

        self.push_screen(EditorScreen(record, base_version, resumed=resumed), closed)

    @on(DraftsFound)
    def _drafts_found(self, message: DraftsFound) -> None:
        """Offer autosaved drafts back."""
        for problem in message.problems:
            self.notify(problem, severity="warning", markup=False)
        if not message.drafts:
            return

        def decided(decision: DraftDecision | None) -> None:
            if decision is None:
                return
            if decision.action == "resume":
                self.edit(decision.draft.record, base_version=decision.draft.base_version, resumed=True)
            else:
                self.discard_draft(decision.draft.record.key)

        self.push_screen(DraftRecoveryDialog(message.drafts), decided)

    # -- index and import -----------------------------------------------------------------------------------

    def action_reindex(self) -> None:
        """Reindex in the background."""
        self.reindex()

    @on(ReindexFinished)
    def _reindex_finished(self, message: ReindexFinished) -> None:
        """Report the reindex and refresh the index state."""
        self.clear_progress()
        self.notify(message.summary, title="Reindex finished")
        self.load_index_status()

    def action_import_folder(self) -> None:
        """Ask for a folder and import it in the background."""

        def answered(path: object) -> None:
            if path is not None:
                self.import_folder(str(path))

        self.push_screen(PathPrompt("Import record files from a folder"), answered)

    @on(ImportFinished)
    def _import_finished(self, message: ImportFinished) -> None:
        """Report the import and refresh everything."""
        self.clear_progress()
        report = message.report
        summary = f"{report.imported} new, {report.updated} updated, {report.unchanged} unchanged"
        if report.kept:
            summary += f", {len(report.kept)} kept (edited here, not yet synced: run git sync)"
        if report.failed:
            summary += f", {len(report.failed)} failed (first: {report.failed[0].path}: {report.failed[0].error})"
        self.notify(summary, title=f"Imported {message.path}", severity="warning" if report.failed else "information",
                    markup=False)
        self.post_message(RecordsChanged())

    def action_sync(self) -> None:
        """Sync every imported folder with git in the background."""
        self.sync_with_git()

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        """Report what the sync did, and every conflict with how to resolve it."""
        report = message.report
        parts = [f"{len(report.synced_in)} read in", f"{len(report.written)} written"]
        if report.committed:
            parts.append(f"committed on {report.committed['branch']}")
        summary = ", ".join(parts)
        for conflict in report.conflicts:
            summary += f"\nconflict: {conflict.key}: {conflict.reason}"
        for failure in report.failed:
            summary += f"\nfailed: {failure.path}: {failure.error}"
        self.notify(summary, title="Synced with git", severity="information" if report.ok else "warning",
                    markup=False, timeout=15 if report.ok else 30)
        self.post_message(RecordsChanged())
        if report.conflicts:
            from bridge.tui.screens.sync_conflicts import SyncConflictsScreen

            self.push_screen(SyncConflictsScreen(report.conflicts))

    def action_kept_drafts(self) -> None:
        """Show the texts kept from conflicting saves and the editor drafts, to recover or discard."""
        from bridge.tui.screens.kept_drafts import KeptDraftsScreen

        self.push_screen(KeptDraftsScreen())

    def action_sync_conflicts(self) -> None:
        """List sync conflicts in the background, then show them."""
        self.list_sync_conflicts()

    @on(SyncConflictsListed)
    def _sync_conflicts_listed(self, message: SyncConflictsListed) -> None:
        """Open the conflicts screen, or say there are none."""
        if not message.conflicts:
            self.notify("No sync conflicts.", title="git")
            return
        from bridge.tui.screens.sync_conflicts import SyncConflictsScreen

        self.push_screen(SyncConflictsScreen(message.conflicts))

    @on(SyncCounted)
    def _sync_counted(self, message: SyncCounted) -> None:
        """Show unsynced edits and conflicts in every status line."""
        parts = []
        if message.unsynced - message.conflicts:
            parts.append(f"{message.unsynced - message.conflicts} unsynced")
        if message.conflicts:
            parts.append(plural(message.conflicts, "conflict"))
        self.sync_summary = "".join(f" · {part}" for part in parts)
        try:
            self.refresh_status_lines()
        except NoMatches:  # a screen is still composing or already closing; it copies the state when mounted
            pass

    # -- quitting -------------------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit, asking first when an editor holds unsaved changes."""
        from bridge.tui.screens.choice import ChoiceDialog
        from bridge.tui.screens.editor import UNSAVED_CHOICES

        dirty_editors = [screen for screen in self.screen_stack if isinstance(screen, EditorScreen) and screen.is_dirty]
        if not dirty_editors:
            self.exit()
            return
        editor = dirty_editors[-1]
        keys = ", ".join(screen.record.key for screen in dirty_editors)
        question = ChoiceDialog("Quit with unsaved changes?", f"Unsaved edits: {keys}.", UNSAVED_CHOICES,
                                id="quit-dialog")

        def answered(choice: str | None) -> None:
            if choice == "save":
                editor.exit_after_save = True
                editor.action_save()
            elif choice == "discard":
                self.discard_and_exit([screen.drafts for screen in dirty_editors])

        self.push_screen(question, answered)


    @on(QuitConfirmed)
    def _quit_confirmed(self) -> None:
        """Exit once discarded drafts are deleted."""
        self.exit()


def run_app(settings: Settings) -> None:
    """Run the TUI on the configured knowledge base until the user quits."""
    app = BridgeApp(settings)
    try:
        app.run()
    finally:
        if app.workspace is not None:
            app.workspace.close()
