"""What follows a committed step: its documents are rendered, its notifications mailed and texted.

Both happen after the commit on purpose: a PDF or an e-mail must never describe a step that
was rolled back. Both are safe to repeat (rendering is idempotent, the outbox remembers what
was sent), so a failure here is retried later instead of undoing the step.
"""

from __future__ import annotations

from initiatives.documents.rendering import render_now


def after_commit(documents=()) -> None:
    from initiatives.notifications.operations import deliver_pending
    from initiatives.sms.worker import kick_if_pending

    render_now(list(documents))
    deliver_pending()
    kick_if_pending()  # in the background: a slow SMS gateway never holds the page
