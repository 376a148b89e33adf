"""POST endpoints for the step buttons. Thin: parse, fire, commit once, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from forms.lifecycle import StepForm
from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from initiatives.extensions import db
from initiatives.i18n import _, explain
from initiatives.lifecycle import waiting
from initiatives.lifecycle.after import after_commit
from initiatives.lifecycle.errors import NotPermitted
from initiatives.lifecycle.operations import fire, workflow_of
from initiatives.lifecycle.permissions import roles_for
from initiatives.routes import local_redirect_target
from workflows import Context, InvalidTrigger

bp = Blueprint("lifecycle", __name__)


@bp.app_context_processor
def waiting_helpers():
    """``awaited_steps(c)``: what the competition waits for and who takes it, for any page
    that would otherwise leave a user with no step at "nothing for you here"."""

    def awaited_steps(c, reasons: bool = True):
        if not current_user or not current_user.is_authenticated:
            return []
        return waiting.awaited(c, current_user, reasons=reasons)

    return {"awaited_steps": awaited_steps}


def _back(subject):
    target = local_redirect_target(request.form.get("next"))
    return redirect(
        target or url_for("competitions.detail", competition_id=_competition_id(subject))
    )


def _refused_input(form: StepForm, transition, subject) -> list[str]:
    """What is wrong with what the user typed (a reason too long, no reason where one is
    needed): said above the page they came from, like any other field error, rather than
    on a page of its own whose only link is home."""
    said = [
        f"{form[name].label.text}: {error}"
        for name, errors in form.errors.items()
        for error in errors
    ]
    if not said:
        ctx = Context(data=form.step_data(), now=utcnow())
        said = [
            explain(r)
            for g in transition.guards
            if getattr(g, "checks_input", False) and (r := g(subject, ctx)) is not None
        ]
    return said


def _step(subject, trigger: str):
    held = roles_for(current_user, subject)
    if not held - {"applicant"}:
        abort(404)  # a stranger to this subject learns nothing about it
    workflow = workflow_of(subject)
    transition = workflow.transition(trigger, subject.state)
    if transition is None:
        raise InvalidTrigger(workflow.name, trigger, str(subject.state))
    if not held & transition.roles:
        raise NotPermitted(trigger, held, transition.roles)  # who may, before what was typed
    if isinstance(subject, Competition) and trigger == "announce_winners":
        from initiatives.scoring.views import decide  # the decision has a page of its own

        return decide(subject)
    if isinstance(subject, Competition) and trigger == "finish_screening":
        from initiatives.applications.screening import finish  # taken with its meeting

        return finish(subject)
    form = StepForm()
    form.validate()
    if "csrf_token" in form.errors or "version" in form.errors:
        abort(400)  # no token, or a page's hidden field tampered with
    if problems := _refused_input(form, transition, subject):
        for problem in problems:
            flash(problem, "warning")
    elif transition.final and form.confirm.data != "1":
        flash(_("This step is final: tick the confirmation box to take it."), "warning")
    elif form.version.data is not None and form.version.data != subject.version:
        flash(
            _(
                "This record was changed by someone else after you opened the page. "
                "Check it and try again."
            ),
            "warning",
        )
    else:
        done = fire(subject, trigger, current_user, **form.step_data())
        db.session.commit()
        flash(_("Done: %(step)s.", step=_(done.transition.title)), "success")
        after_commit(done.documents)  # render its documents, mail its notifications
    return _back(subject)


def _competition_id(subject) -> int:
    return subject.competition_id if isinstance(subject, Application) else subject.id


@bp.post("/competitions/<int:competition_id>/steps/<trigger>")
@login_required
def competition_step(competition_id: int, trigger: str):
    return _step(db.get_or_404(Competition, competition_id), trigger)


@bp.post("/applications/<int:application_id>/steps/<trigger>")
@login_required
def application_step(application_id: int, trigger: str):
    return _step(db.get_or_404(Application, application_id), trigger)
