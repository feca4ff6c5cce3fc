"""``onestop.forms.add_service_errors``: the one way a service's error lands on a form."""

from __future__ import annotations

from django import forms

from onestop.errors import Conflict, Invalid
from onestop.forms import add_service_errors, service_error_items


class _Form(forms.Form):
    id_number = forms.CharField(required=False)
    item_codes = forms.CharField(required=False)


def _bound() -> _Form:
    form = _Form(data={})
    assert form.is_valid()
    return form


def test_field_messages_go_to_the_field_of_that_name_and_the_rest_above_the_form():
    form = _bound()

    add_service_errors(form, Invalid(fields={"id_number": ["Bad checksum."], "other": "Nope."}))

    assert form.errors["id_number"] == ["Bad checksum."]
    assert form.non_field_errors() == ["Nope."]


def test_nested_names_are_the_forms_fields():
    # The services nest a group's fields (applicant.id_number, form.<name>: the API's shape).
    form = _bound()

    add_service_errors(
        form, Invalid(fields={"applicant": {"id_number": ["Bad."]}, "form": {"x": ["Gone."]}})
    )

    assert form.errors["id_number"] == ["Bad."]
    assert form.non_field_errors() == ["Gone."]


def test_the_message_shows_only_when_the_error_names_no_field():
    form = _bound()
    add_service_errors(form, Conflict("Already decided."))
    assert form.non_field_errors() == ["Already decided."]

    form = _bound()
    add_service_errors(form, Invalid("Generic.", fields={"id_number": ["Specific."]}))
    assert form.non_field_errors() == []
    assert form.errors["id_number"] == ["Specific."]


def test_aliases_from_the_call_or_the_form_map_a_service_name_to_a_field():
    form = _bound()
    add_service_errors(
        form, Invalid(fields={"scope": ["Unknown code."]}), aliases={"scope": "item_codes"}
    )
    assert form.errors["item_codes"] == ["Unknown code."]

    class _Aliased(_Form):
        service_field_aliases = {"applicant.number": "id_number"}

    form = _Aliased(data={})
    assert form.is_valid()
    add_service_errors(form, Invalid(fields={"applicant": {"number": ["Bad."]}}))
    assert form.errors["id_number"] == ["Bad."]


def test_the_same_message_at_the_same_place_shows_once():
    form = _bound()

    add_service_errors(form, Invalid(fields={"a": ["Twice."], "b": ["Twice."]}))

    assert form.non_field_errors() == ["Twice."]


def test_items_flatten_every_shape():
    assert list(service_error_items({"a": "one", "b": ["two"], "c": {"d": ["three"]}})) == [
        ("a", "a", "one"),
        ("b", "b", "two"),
        ("c.d", "d", "three"),
    ]
