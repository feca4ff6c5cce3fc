"""The step registry is the only source of decisions: the API schema's request body, the task
detail's ``decisions`` and the HTML decision form all derive from it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from permits.exceptions import Invalid
from workflow.forms import TaskDecisionForm
from workflow.models import TaskKind
from workflow.steps import register, registered, step_for, unregister
from workflow.steps.base import DecisionInput, Step, decision_serializers

BUILT = {
    TaskKind.ACCEPTANCE,
    TaskKind.REVIEW,
    TaskKind.INSPECTION,
    TaskKind.DECISION,
    TaskKind.CONSULTATION,
    TaskKind.TRIAGE,
    TaskKind.HANDLING,
    TaskKind.REPLY_REVIEW,
    # Registered by the ratings app (evaluations) from its AppConfig.ready().
    TaskKind.RECTIFICATION,
    TaskKind.APPEAL_REVIEW,
}
# A kind nobody builds (every kind of TaskKind has its step now).
UNBUILT = "unbuilt"


def test_only_the_built_kinds_are_registered():
    assert set(registered()) == BUILT
    with pytest.raises(Invalid) as exc:
        step_for(UNBUILT)
    assert "decision" in exc.value.fields


@pytest.mark.django_db
def test_the_schema_decision_enum_per_kind_is_the_registry(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    body = schema["paths"]["/api/v1/tasks/{task_id}/complete/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    members = {m["$ref"].rsplit("/", 1)[-1] for m in components[ref]["oneOf"]}
    for kind, step in registered().items():
        enums = set()
        for value, decision in step.decisions.items():
            name = decision.serializer.__name__.removesuffix("Serializer")
            (component,) = [m for m in members if m in (name, f"{name}Request")]
            props = components[component]["properties"]
            member = props["decision"]
            member = member.get("allOf", [member])[0]
            if "$ref" in member:  # drf-spectacular moves enums into components
                member = components[member["$ref"].rsplit("/", 1)[-1]]
            assert member["enum"] == [value]
            enums.add(value)
            declared = set(decision.serializer().fields) - {"decision"}
            assert declared == set(props) - {"decision"}
        assert enums == set(step.decisions), kind
    expected = sum(len(step.decisions) for step in registered().values())
    assert len(members) == expected


@pytest.mark.parametrize("kind", sorted(BUILT))
def test_the_html_form_offers_the_registry_choices(kind):
    form = TaskDecisionForm(kind=kind)
    assert [v for v, _ in form.fields["decision"].choices] == list(step_for(kind).decisions)


def test_an_unregistered_kind_has_no_form_choices():
    assert TaskDecisionForm(kind=UNBUILT).fields["decision"].choices == []


class _ThrowAwayStep(Step):
    """What an app above workflow registers from its AppConfig.ready()."""

    kind = "throwaway"
    decisions = decision_serializers(
        "throwaway",
        {"done": ("Done", DecisionInput), "appeal": ("Appeal", DecisionInput)},
    )


def test_an_app_registers_its_own_kind_once():
    try:
        step = register(_ThrowAwayStep())
        assert step_for("throwaway") is step
        assert register(_ThrowAwayStep()) is step  # the same class again: a no-op

        class Other(_ThrowAwayStep):
            pass

        with pytest.raises(ImproperlyConfigured):
            register(Other())
        form = TaskDecisionForm(kind="throwaway")
        assert [v for v, _ in form.fields["decision"].choices] == ["done", "appeal"]
    finally:
        unregister("throwaway")
    assert "throwaway" not in registered()
    # The ratings app's kind is taken by its own step: another class for it is refused.

    class Rival(_ThrowAwayStep):
        kind = TaskKind.RECTIFICATION

    with pytest.raises(ImproperlyConfigured):
        register(Rival())


@pytest.mark.django_db
def test_an_unregistered_kind_answers_400_through_the_api():
    from tests.workflow.journey import build_world, submitted_case
    from workflow.models import CaseTask

    world = build_world(1)
    app = submitted_case(world)
    task = CaseTask.objects.get(application=app, kind=TaskKind.ACCEPTANCE)
    # A kind no flow builds (every kind of TaskKind gets its step in time).
    CaseTask.objects.filter(pk=task.pk).update(kind="unbuilt")
    client = APIClient()
    client.force_authenticate(world.lead_staff["undertake"])
    r = client.post(f"/api/v1/tasks/{task.pk}/complete/", {"decision": "answer"}, format="json")
    assert r.status_code == 400 and r.data["code"] == "invalid"
    assert "decision" in r.data["fields"]
    r = client.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json")
    assert r.status_code == 400 and "decision" in r.data["fields"]
