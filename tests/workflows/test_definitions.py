"""The workflows as data: complete, reachable, consistent with the document kinds."""

import pytest

from initiatives.core.enums import DocumentKind, Role
from workflows import APPLICATION, COMPETITION, WORKFLOWS

KNOWN_ROLES = {r.value for r in Role} | {"chair", "secretary", "member", "owner", "system"}


@pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=lambda w: w.name)
def test_every_state_is_reachable(workflow):
    assert workflow.reachable() == set(workflow.states)


@pytest.mark.parametrize("workflow", WORKFLOWS.values(), ids=lambda w: w.name)
def test_documents_and_roles_are_known(workflow):
    kinds = {k.value for k in DocumentKind}
    assert workflow.documents() <= kinds
    for t in workflow.transitions:
        assert t.roles, t.trigger
        assert t.roles <= KNOWN_ROLES, t.trigger


def test_every_step_of_the_domain_leaves_its_document():
    """DOMAIN.md's table: each numbered step leaves its protocol."""
    documents = COMPETITION.documents() | APPLICATION.documents()
    for kind in (
        "budget_allocation",
        "commission_order",
        "announcement",
        "application_form",
        "receipt",
        "applications_register",
        "screening_protocol",
        "results_protocol",
        "winners_decision",
        "results_notice",
        "grant_agreement",
        "implementation_report",
        "acceptance_act",
        "final_report",
        "cancellation_notice",
        "failure_notice",
    ):
        assert kind in documents


def test_final_states():
    assert {s.value for s in COMPETITION.final_states()} == {"closed", "cancelled", "failed"}
    # not_awarded is final once the results are approved; before, the commission may
    # reconsider its proposal (a guard, not the table, says when).
    assert {s.value for s in APPLICATION.final_states()} == {
        "rejected",
        "completed",
        "withdrawn",
        "terminated",
    }


def test_mermaid_lists_every_state_and_transition():
    for workflow in WORKFLOWS.values():
        text = workflow.to_mermaid()
        assert text.startswith("stateDiagram-v2")
        for state in workflow.states:
            assert f"    {state.value} : " in text
        edges = sum(len(t.sources) for t in workflow.transitions)
        assert text.count(" --> ") == edges + 1 + len(workflow.final_states())
