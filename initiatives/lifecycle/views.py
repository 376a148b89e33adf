"""POST endpoints for the step buttons. Thin: parse, fire, commit once, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from forms.lifecycle import StepForm
from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.lifecycle.after import after_commit
from initiatives.lifecycle.operations import fire, workflow_of
from initiatives.lifecycle.permissions import roles_for
from initiatives.routes import local_redirect_target

bp = Blueprint("lifecycle", __name__)


def _step(subject, trigger: str):
    if not roles_for(current_user, subject) - {"applicant"}:
        abort(404)  # a stranger to this subject learns nothing about it
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    transition = workflow_of(subject).transition(trigger, subject.state)
    if transition is not None and transition.final and form.confirm.data != "1":
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
    target = local_redirect_target(request.form.get("next"))
    return redirect(
        target or url_for("competitions.detail", competition_id=_competition_id(subject))
    )


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
