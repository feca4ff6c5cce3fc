"""System-written event notes (permits.event_notes): stored in the writer's language, shown in
the reader's; a note without a key (old rows, what a person typed) shows as stored."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from permits.event_notes import NOTE_KEY, NOTE_PARAMS, note_data, note_text, system_note


def test_a_system_note_is_its_text_now_and_renders_again_in_another_language():
    with translation.override("zh-hans"):
        note = system_note(
            gettext_noop("The tolerated materials were delivered: %(names)s."), names="场地证明"
        )
    assert note == "容缺材料已补齐：场地证明。"
    data = note_data(note)
    assert data == {
        NOTE_KEY: "The tolerated materials were delivered: %(names)s.",
        NOTE_PARAMS: {"names": "场地证明"},
    }
    with translation.override("en"):
        assert note_text(note, data) == "The tolerated materials were delivered: 场地证明."
    with translation.override("zh-hans"):
        assert note_text(note, data) == "容缺材料已补齐：场地证明。"


def test_a_translatable_parameter_is_translated_at_display_too():
    with translation.override("zh-hans"):
        note = system_note(
            gettext_noop("System default rating: %(level)s"), level=gettext_lazy("Satisfied")
        )
    data = note_data(note)
    assert data[NOTE_PARAMS] == {"level": {"msgid": "Satisfied"}}
    with translation.override("en"):
        assert note_text(note, data) == "System default rating: Satisfied"
    with translation.override("zh-hans"):
        assert note_text(note, data) == str(note) and "系统默认评价" in note


def test_a_lazy_label_is_kept_by_its_msgid():
    with translation.override("zh-hans"):
        note = system_note(gettext_lazy("Tolerance commitment"))
    assert note == "容缺受理承诺书" and note_data(note) == {NOTE_KEY: "Tolerance commitment"}
    with translation.override("en"):
        assert note_text(note, note_data(note)) == "Tolerance commitment"


def test_typed_notes_and_old_rows_show_as_stored():
    assert note_data("请加盖公章") == {}
    with translation.override("en"):
        assert note_text("请加盖公章", {}) == "请加盖公章"
        assert note_text("等待申请人补正。", {"reason": "supplement"}) == "等待申请人补正。"
        # A key whose placeholders no longer match: the stored text, not an error.
        assert note_text("旧文本", {NOTE_KEY: "%(gone)s", NOTE_PARAMS: {"x": "1"}}) == "旧文本"
