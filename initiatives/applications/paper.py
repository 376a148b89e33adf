"""Paper intake: the specialist types in an application a resident brought to the office.

The first page records what the paper shows at once (when it was received, who applies,
the title); the rest is typed into the same sections as an online application, scans of
the originals are attached, and the same submit step gives the same receipt. The window
rule reads the time the office received the paper, not the time it was typed.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forms.applications import PaperIntakeForm
from initiatives.applications import operations
from initiatives.applications.access import CLERKS
from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.setup import to_utc
from initiatives.core.db import utcnow
from initiatives.core.enums import ApplicantKind, Channel
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.lifecycle.permissions import roles_for

bp = Blueprint("paper", __name__)


@bp.route("/competitions/<int:competition_id>/paper", methods=["GET", "POST"])
@login_required
def new(competition_id: int):
    c = queries.one_visible_or_404(current_user, competition_id)
    if not roles_for(current_user, c) & CLERKS:
        abort(403)
    close_if_due(c)
    form = PaperIntakeForm()
    status = 200
    if c.state != "announced":
        status = 409
    elif form.validate_on_submit():
        received = to_utc(form.received_at.data)
        if received > utcnow() + timedelta(minutes=5):
            form.received_at.errors.append(_("The time of receipt cannot be in the future."))
        elif c.opens_at is not None and received < c.opens_at:
            form.received_at.errors.append(_("The application window had not opened yet then."))
        else:
            a = operations.start_draft(
                c,
                current_user,
                channel=Channel.PAPER,
                received_at=received,
                applicant_kind=ApplicantKind(form.applicant_kind.data),
                applicant_name=form.applicant_name.data.strip(),
                contact_phone=(form.contact_phone.data or "").strip(),
                village=form.village.data.strip(),
                title=form.title.data.strip(),
            )
            db.session.commit()
            flash(
                _("The paper application is started. Type in the rest and attach the scans."),
                "success",
            )
            return redirect(url_for("applications.section", application_id=a.id, name="applicant"))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("applications/paper_new.html", c=c, form=form), status
