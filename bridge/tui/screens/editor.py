"""The editor: a front-matter form beside a Markdown TextArea, validated, autosaved as a draft, saved safely."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Select, TextArea

from bridge.domain import Record
from bridge.errors import BridgeError, ConflictError, ValidationError
from bridge.tui.diffing import diff_texts
from bridge.tui.drafts import DraftKeeper, new_draft
from bridge.tui.editor_form import FIELD_LABELS, FormValues, apply_form, form_from_record, status_options
from bridge.tui.messages import RecordsChanged, describe_exception
from bridge.tui.screens.choice import Choice, ChoiceDialog
from bridge.tui.screens.conflict import ConflictDialog
from bridge.tui.screens.text_view import TextViewScreen
from bridge.tui.typed_app import BridgeAppAccess
from bridge.tui.widgets.record_header import render_diff

if TYPE_CHECKING:
    pass

AUTOSAVE_SECONDS = 2.0
"""How often a changed editor writes its draft to the drafts folder."""

UNSAVED_CHOICES = [Choice("save", "Save", "primary"), Choice("discard", "Discard", "error"), Choice("cancel", "Cancel")]
"""Answers to "you have unsaved changes"."""


def body_editor(text: str) -> TextArea:
    """Return a TextArea for Markdown, highlighted when the tree-sitter grammar is installed."""
    editor = TextArea.code_editor(text, id="body", soft_wrap=True, show_line_numbers=False)
    if "markdown" in editor.available_languages:
        editor.language = "markdown"
    return editor


class EditorScreen(BridgeAppAccess, Screen[Record | None]):
    """Edit one record; ctrl+s saves a new revision, escape asks before dropping changes."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor-save", tooltip="Validate and save a new revision."),
        Binding("escape", "close", "Close", id="editor-close", tooltip="Close the editor (asks if unsaved)."),
        Binding("ctrl+b", "focus_body", "Body", id="editor-body", tooltip="Move the cursor into the body text."),
        Binding("ctrl+t", "focus_form", "Fields", id="editor-fields", tooltip="Move the cursor to the title field."),
    ]

    @dataclass
    class Saved(Message):
        """The save went through."""

        record: Record

    @dataclass
    class Conflicted(Message):
        """The save was refused because the record changed since it was opened."""

        error: ConflictError

    @dataclass
    class Invalid(Message):
        """The workspace refused the record as invalid."""

        field: str
        error: str

    @dataclass
    class Rebased(Message):
        """The person chose to save on top of the newer version, which is this one."""

        version: int

    @dataclass
    class TheirsLoaded(Message):
        """The other person's version was read for comparison."""

        record: Record

    def __init__(self, record: Record, base_version: int, *, resumed: bool = False) -> None:
        super().__init__()
        self.record = record
        """The record as opened (or as resumed from a draft); the form edits a copy."""
        self.base_version = base_version
        """The stored version this edit is based on; a save names it so stale saves are refused."""
        self.resumed = resumed
        """Whether the editor was filled from an autosaved draft."""
        self.saved_values = form_from_record(record) if not resumed else FormValues()
        """The form as last saved (a resumed draft counts as unsaved)."""
        self.autosaved_values: FormValues | None = None
        """The form as last written to the draft file."""
        self.exit_after_save = False
        """Whether a successful save quits the app (set by quit's unsaved-changes prompt)."""
        self.saving = False
        """Whether a save is in flight (a second ctrl+s waits for it)."""
        self.heading_title = record.title or "Untitled"
        """The title the body's first heading was last set from (new records follow the title field)."""
        self.drafts = DraftKeeper(record.key)
        """Writes this edit's draft file; closed once the edit is saved or discarded."""

    @property
    def is_new(self) -> bool:
        """Return whether the record has never been saved."""
        return self.base_version == 0

    def compose(self) -> ComposeResult:
        values = form_from_record(self.record)
        yield Header()
        with Horizontal(id="editor-layout"):
            with VerticalScroll(id="editor-form"):
                yield Label(f"{self.record.key} · {self.record.kind}", classes="section-title")
                yield Label("", id="error-general", classes="field-error")
                for name, label in FIELD_LABELS.items():
                    yield Label(label, classes="field-label")
                    if name == "status":
                        options = [(status, status) for status in status_options(self.record.kind, values.status)]
                        yield Select(options, value=values.status, allow_blank=False, id="field-status",
                                     compact=True)
                    else:
                        # Focus leaves the cursor at the end: selecting all would let the first key erase the field.
                        yield Input(getattr(values, name), id=f"field-{name}", compact=True, select_on_focus=False)
                    yield Label("", id=f"error-{name}", classes="field-error")
            with Vertical(id="editor-main"):
                yield body_editor(values.body)
                yield Label("", id="error-body", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        verb = "New" if self.is_new else "Editing"
        self.title = f"bridge · {verb} {self.record.key}" + (" (resumed draft)" if self.resumed else "")
        self.query_one("#field-title", Input).focus()
        self.set_interval(AUTOSAVE_SECONDS, self.autosave)

    # -- form state ----------------------------------------------------------------------------------------

    @on(Input.Changed, "#field-title")
    def _title_changed(self, event: Input.Changed) -> None:
        """Keep a new record's template heading in step with its title until the person edits the heading."""
        if not self.is_new:
            return
        body = self.query_one("#body", TextArea)
        first_line = body.text.partition("\n")[0]
        if first_line in (f"# {self.heading_title}", "# Untitled"):
            self.heading_title = event.value.strip() or "Untitled"
            body.replace(f"# {self.heading_title}", (0, 0), (0, len(first_line)))

    def current_values(self) -> FormValues:
        """Return what the form holds now."""
        typed = {name: self.query_one(f"#field-{name}", Input).value for name in FIELD_LABELS if name != "status"}
        status = self.query_one("#field-status", Select).value
        return FormValues(
            status=status if isinstance(status, str) else "", body=self.query_one("#body", TextArea).text, **typed
        )

    @property
    def is_dirty(self) -> bool:
        """Return whether the form differs from what was last saved."""
        return self.current_values() != self.saved_values

    def autosave(self) -> None:
        """Write the draft file when the form changed since the last autosave."""
        values = self.current_values()
        if values == self.autosaved_values or (values == self.saved_values and self.autosaved_values is None):
            return
        self.autosaved_values = values
        self._write_draft(apply_form(self.record, values).record, self.base_version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-draft", description="Autosaving draft")
    def _write_draft(self, record: Record, base_version: int) -> None:
        """Write the draft file in a thread."""
        try:
            self.drafts.write(new_draft(record, base_version))
        except BridgeError as exc:
            self.notify(f"Autosave failed: {describe_exception(exc)}", severity="warning", markup=False)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each error under its field and clear the others; focus the first bad field."""
        for label in self.query(".field-error").results(Label):
            field_name = (label.id or "").removeprefix("error-")
            message = errors.get(field_name, "")
            label.update(message)
            label.set_class(bool(message), "-shown")
        unplaced = [message for name, message in errors.items() if not self.query(f"#error-{name}")]
        if unplaced:
            general = self.query_one("#error-general", Label)
            general.update(" ".join(unplaced))
            general.add_class("-shown")
        first = next((name for name in [*FIELD_LABELS, "body"] if name in errors), None)
        if first:
            self.query_one("#body" if first == "body" else f"#field-{first}").focus()

    # -- saving --------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        """Validate the form and, when valid, save it as a new revision in a thread."""
        if self.saving:
            return
        values = self.current_values()
        result = apply_form(self.record, values)
        self.show_errors(result.errors)
        if not result.valid:
            self.notify("Fix the marked fields before saving.", severity="warning")
            return
        self.saving = True
        self._save(result.record, self.base_version, values.message.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save", description="Saving record")
    def _save(self, record: Record, expected_version: int, message: str) -> None:
        """Save through the workspace; post Saved, Conflicted or Invalid.

        The text is written to the draft file first, so a crash or kill during the save leaves it either saved or
        offered back as a draft, even when it was typed since the last autosave.
        """
        workspace = self.bridge_app.require_workspace()
        try:
            self.drafts.write(new_draft(record, expected_version))
        except BridgeError:
            pass  # a draft that cannot be written must not stop a save that can; the save reports its own failure
        try:
            saved = workspace.save_record(
                record, expected_version=expected_version, message=message or ("create" if self.is_new else "edit")
            )
        except ConflictError as exc:
            self.post_message(self.Conflicted(exc))
            return
        except ValidationError as exc:
            self.post_message(self.Invalid(exc.field, describe_exception(exc)))
            return
        except BridgeError as exc:
            self.post_message(self.Invalid("", describe_exception(exc)))
            return
        self.drafts.close()
        self.post_message(self.Saved(saved))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        """Mark the form clean, tell the app, and close (or quit)."""
        self.saving = False
        self.record = message.record
        self.base_version = message.record.version
        self.saved_values = form_from_record(message.record)
        self.autosaved_values = None
        self.notify(f"Saved {message.record.key} (version {message.record.version}).")
        self.post_message(RecordsChanged([message.record.key]))
        if self.exit_after_save:
            self.app.exit()
        else:
            self.dismiss(message.record)

    @on(Invalid)
    def _invalid(self, message: Invalid) -> None:
        """Show the workspace's validation error next to its field."""
        self.saving = False
        self.exit_after_save = False
        field_name = message.field if message.field in {*FIELD_LABELS, "body"} else "general"
        self.show_errors({field_name: message.error})
        self.notify(message.error, severity="error", markup=False)

    @on(Conflicted)
    def _conflicted(self, message: Conflicted) -> None:
        """Keep the draft, refresh what shows the record (it changed), and ask what to do about the other change."""
        self.saving = False
        self.exit_after_save = False
        self.autosave()
        self.post_message(RecordsChanged([message.error.key]))
        self.app.push_screen(ConflictDialog(message.error), self._conflict_answered)

    def _conflict_answered(self, choice: str | None) -> None:
        """Act on the conflict dialog's answer; the draft stays in the editor whatever it is."""
        if choice == "view":
            self._load_theirs(self.record.key)
        elif choice == "overwrite":
            self._rebase_and_save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-save", description="Reading version")
    def _rebase_and_save(self) -> None:
        """Read the newest version number, then save the draft on top of it."""
        try:
            current = self.bridge_app.require_workspace().get_record(self.record.key)
        except BridgeError as exc:
            self.post_message(self.Invalid("", describe_exception(exc)))
            return
        self.post_message(self.Rebased(current.version))

    @on(Rebased)
    def _save_on_top(self, message: Rebased) -> None:
        """Adopt the newest version as the base and save again."""
        self.base_version = message.version
        self.action_save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="editor-theirs", description="Reading their version")
    def _load_theirs(self, key: str) -> None:
        """Read the stored version in a thread for comparison."""
        try:
            theirs = self.bridge_app.require_workspace().get_record(key)
        except BridgeError as exc:
            self.post_message(self.Invalid("", describe_exception(exc)))
            return
        self.post_message(self.TheirsLoaded(theirs))

    @on(TheirsLoaded)
    def _show_theirs(self, message: TheirsLoaded) -> None:
        """Show their version against the draft."""
        mine = self.current_values().body
        diff = diff_texts(
            message.record.body, mine, old_label=f"theirs (version {message.record.version})", new_label="your draft"
        )
        title = f"{message.record.key}: their version {message.record.version} → your draft (still open)"
        self.app.push_screen(TextViewScreen(title, render_diff(diff), id="theirs-view"))

    # -- closing -------------------------------------------------------------------------------------------

    def action_close(self) -> None:
        """Close, asking first when there are unsaved changes."""
        if not self.is_dirty:
            self._discard_and_dismiss()
            return
        question = ChoiceDialog(
            "Unsaved changes", f"Save your changes to {self.record.key} before closing?", UNSAVED_CHOICES,
            id="unsaved-dialog",
        )
        self.app.push_screen(question, self._close_answered)

    def _close_answered(self, choice: str | None) -> None:
        """Save, discard or stay."""
        if choice == "save":
            self.action_save()
        elif choice == "discard":
            self._discard_and_dismiss()

    def _discard_and_dismiss(self) -> None:
        """Drop the draft file (in an app worker, which outlives this screen) and close."""
        self.bridge_app.close_drafts(self.drafts)
        self.dismiss(None)

    def action_focus_body(self) -> None:
        """Focus the body TextArea."""
        self.query_one("#body", TextArea).focus()

    def action_focus_form(self) -> None:
        """Focus the title field."""
        self.query_one("#field-title", Input).focus()
