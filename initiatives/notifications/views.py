"""The user's notifications: a list, "mark all read", and the unread count in the menu."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.notifications import operations

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    return render_template(
        "notifications/list.html", notifications=operations.for_user(current_user)
    )


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    # CSRF: CSRFProtect checks every POST of the application.
    changed = operations.mark_read(current_user, operations.ALL)
    db.session.commit()
    if changed:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.app_context_processor
def unread():
    """The menu's count (one query per page for a logged-in user) and the renderer of a
    notification's text, for any page that lists notifications."""
    count = 0
    if current_user and current_user.is_authenticated:
        count = operations.unread_count(current_user)
    return {"unread_notifications": count, "notification_text": operations.text}
