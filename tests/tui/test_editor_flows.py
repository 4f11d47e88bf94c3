"""Editor flows: create from each template, edit and save, validation, stale-save conflict, quitting, drafts."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Label, Static, TextArea

from bridge.config import Settings
from bridge.tui.drafts import Draft, draft_path, load_draft, new_draft, save_draft
from bridge.tui.screens.choice import ChoiceDialog
from bridge.tui.screens.conflict import ConflictDialog
from bridge.tui.screens.draft_recovery import DraftRecoveryDialog
from bridge.tui.screens.editor import EditorScreen
from bridge.tui.screens.record import RecordScreen
from bridge.tui.screens.text_view import TextViewScreen
from bridge.workspace import Workspace
from tests.tui.pilot_helpers import colleague_saves, make_app, screen_of, settle, started, type_text


async def open_editor(pilot, key: str) -> EditorScreen:  # type: ignore[no-untyped-def]
    pilot.app.action_edit_record(key)
    await settle(pilot)
    return screen_of(pilot.app, EditorScreen)


def append_body(editor: EditorScreen, text: str) -> None:
    body = editor.query_one("#body", TextArea)
    body.insert(text, location=body.document.end)


@pytest.mark.parametrize(
    ("kind", "template", "expected_heading"),
    [("decision", "nygard", "## Consequences"), ("decision", "madr", "## Considered Options"),
     ("runbook", "runbook", None)],
)
async def test_create_from_each_template(kb_settings: Settings, kind: str, template: str,
                                         expected_heading: str | None) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        app.action_new_record(kind, template)
        await settle(pilot)
        editor = screen_of(app, EditorScreen)
        assert editor.is_new and editor.record.kind == kind
        key = editor.record.key
        assert key == ("ADR-0003" if kind == "decision" else "RB-0004")
        await type_text(pilot, "Refund queue")
        body_text = editor.query_one("#body", TextArea).text
        assert body_text.startswith("# Refund queue")
        await pilot.press("ctrl+s")
        await settle(pilot)
        record_screen = screen_of(app, RecordScreen)
        assert record_screen.key == key
    with Workspace.open(kb_settings) as workspace:
        saved = workspace.get_record(key)
        assert saved.title == "Refund queue" and saved.version == 1
        if expected_heading:
            assert expected_heading in saved.body
        assert len(workspace.history(key)) == 1
    assert not draft_path(key).exists()


async def test_new_record_picker_offers_every_template(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await pilot.press("down", "n")
        await settle(pilot)
        picker = app.screen
        labels = [choice.label for choice in picker.choices]  # type: ignore[attr-defined]
        assert any("MADR" in label for label in labels) and any("Nygard" in label for label in labels)
        assert any(label.startswith("runbook") for label in labels)
        await pilot.press("down", "enter")
        await settle(pilot)
        editor = screen_of(app, EditorScreen)
        assert editor.record.kind == "decision" and "## Considered Options" in editor.record.body


async def test_edit_and_save_writes_a_revision(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        editor = await open_editor(pilot, "RB-0002")
        assert editor.base_version == 1 and not editor.is_dirty
        append_body(editor, "\nAlso check `ingestctl spool stats`.\n")
        editor.query_one("#field-message", Input).value = "add the stats check"
        assert editor.is_dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_of(app, RecordScreen).key == "RB-0002"
    with Workspace.open(kb_settings) as workspace:
        saved = workspace.get_record("RB-0002")
        assert saved.version == 2 and "ingestctl spool stats" in saved.body
        history = workspace.history("RB-0002")
        assert history[-1].message == "add the stats check" and history[-1].author == "test-user"


async def test_invalid_fields_are_shown_next_to_the_field_and_nothing_is_saved(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        editor = await open_editor(pilot, "RB-0003")
        editor.query_one("#field-title", Input).value = ""
        editor.query_one("#field-review_by", Input).value = "soon"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is editor
        title_error = editor.query_one("#error-title", Label)
        assert title_error.has_class("-shown") and "required" in str(title_error.content)
        assert "YYYY-MM-DD" in str(editor.query_one("#error-review_by", Label).content)
        assert not editor.query_one("#error-owners", Label).has_class("-shown")
        assert pilot.app.focused is editor.query_one("#field-title", Input)
    with Workspace.open(kb_settings) as workspace:
        assert workspace.get_record("RB-0003").version == 1


async def test_stale_save_shows_conflict_keeps_the_draft_and_can_save_on_top(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        editor = await open_editor(pilot, "RB-0002")
        append_body(editor, "\nMy local note.\n")
        colleague_saves(kb_settings, "RB-0002")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert app.screen.error.actual_version == 2
        draft = load_draft(draft_path("RB-0002"))
        assert "My local note." in draft.record.body and draft.base_version == 1
        await pilot.click("#choice-view")
        await settle(pilot)
        view = screen_of(app, TextViewScreen)
        diff_text = str(view.query_one("#text-view-body", Static).content)
        assert "-Colleague note." in diff_text and "+My local note." in diff_text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor and "My local note." in editor.query_one("#body", TextArea).text
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#choice-overwrite")
        await settle(pilot)
        assert screen_of(app, RecordScreen).key == "RB-0002"
    with Workspace.open(kb_settings) as workspace:
        saved = workspace.get_record("RB-0002")
        assert saved.version == 3 and "My local note." in saved.body
        history = workspace.history("RB-0002")
        assert [revision.author for revision in history[-2:]] == ["carol", "test-user"]
        assert "Colleague note." in workspace.revision_text("RB-0002", history[-2].number)
    assert not draft_path("RB-0002").exists()


async def test_quit_with_unsaved_changes_asks_and_discard_removes_the_draft(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        editor = await open_editor(pilot, "RB-0003")
        append_body(editor, "\nunsaved words\n")
        editor.autosave()
        await settle(pilot)
        assert draft_path("RB-0003").exists()
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog) and app.screen.id == "quit-dialog"
        await pilot.click("#choice-cancel")
        await settle(pilot)
        assert app.screen is editor and app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.click("#choice-discard")
        await settle(pilot)
    assert not app.is_running
    assert not draft_path("RB-0003").exists()


async def test_escape_with_changes_asks_before_closing(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        editor = await open_editor(pilot, "RB-0001")
        editor.query_one("#field-tags", Input).value = "postgres, replication"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog) and app.screen.id == "unsaved-dialog"
        await pilot.click("#choice-save")
        await settle(pilot)
        assert screen_of(app, RecordScreen).key == "RB-0001"
    with Workspace.open(kb_settings) as workspace:
        assert workspace.get_record("RB-0001").tags == ["postgres", "replication"]


async def test_drafts_left_by_a_crash_are_offered_back(kb_settings: Settings) -> None:
    with Workspace.open(kb_settings) as workspace:
        record = workspace.get_record("RB-0003")
    record.body += "\nText typed before the crash.\n"
    save_draft(new_draft(record, record.version))
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        dialog = screen_of(app, DraftRecoveryDialog)
        assert [draft.record.key for draft in dialog.drafts] == ["RB-0003"]
        await pilot.press("enter")
        await settle(pilot)
        editor = screen_of(app, EditorScreen)
        assert editor.resumed and editor.base_version == 1 and editor.is_dirty
        assert "Text typed before the crash." in editor.query_one("#body", TextArea).text


async def test_editing_a_record_with_a_draft_resumes_it(kb_settings: Settings) -> None:
    with Workspace.open(kb_settings) as workspace:
        record = workspace.get_record("RB-0002")
    record.title = "Ingest spool nearly full"
    save_draft(Draft(record, record.version, new_draft(record, 1).saved_at))
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        await pilot.press("escape")  # keep the draft for later
        await settle(pilot)
        editor = await open_editor(pilot, "RB-0002")
        assert editor.resumed
        assert editor.query_one("#field-title", Input).value == "Ingest spool nearly full"
        assert app.screen is editor


async def test_the_typed_text_is_in_the_draft_file_before_the_save_reaches_the_store(
        kb_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = Workspace.save_record

    def save_record(self: Workspace, record, **kwargs):  # type: ignore[no-untyped-def]
        path = draft_path(record.key)
        seen.append(load_draft(path).record.body if path.exists() else "")
        return original(self, record, **kwargs)

    monkeypatch.setattr(Workspace, "save_record", save_record)
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        await started(pilot)
        editor = await open_editor(pilot, "RB-0002")
        append_body(editor, "\nTyped just before saving: quokkamarker.\n")
        await pilot.press("ctrl+s")  # at once, before any autosave
        await settle(pilot)
        assert screen_of(pilot.app, RecordScreen).key == "RB-0002"
    assert len(seen) == 1 and "quokkamarker" in seen[0], "a kill during the save would have lost the text"
    assert not draft_path("RB-0002").exists(), "a finished save removes the draft"


async def test_typing_in_a_field_appends_to_it_instead_of_replacing_it(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        app.open_record("RB-0002")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        editor = screen_of(app, EditorScreen)
        title = editor.query_one("#field-title", Input)
        assert app.focused is title
        await pilot.press("Z")
        assert title.value == "Ingest node disk almost fullZ", "the first key typed replaced the title"
        await pilot.press("ctrl+b", "ctrl+t", "Y")
        assert title.value == "Ingest node disk almost fullZY"
        topics = editor.query_one("#field-topics", Input)
        topics.focus()
        await pilot.pause()
        await pilot.press("comma", "space", *"spool")
        assert topics.value == "ingest, spool"


async def test_a_refused_save_refreshes_the_record_screen_underneath(kb_settings: Settings) -> None:
    async with make_app(kb_settings).run_test(size=(140, 40)) as pilot:
        app = await started(pilot)
        app.open_record("RB-0002")
        await settle(pilot)
        record_screen = screen_of(app, RecordScreen)
        await pilot.press("e")
        await settle(pilot)
        editor = screen_of(app, EditorScreen)
        append_body(editor, "\nMy local note.\n")
        colleague_saves(kb_settings, "RB-0002")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.click("#choice-keep")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert app.screen is record_screen
        assert record_screen.record is not None and record_screen.record.version == 2
        assert "Colleague note." in record_screen.record.body and len(record_screen.revisions) == 2
