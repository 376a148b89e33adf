"""Text messages: an outbox in the database and a provider that sends it after the commit.

Most residents have a phone and no e-mail, so SMS is how the office reaches them. Callers
write to the outbox with ``operations.queue_sms`` inside their own transaction; delivery
runs after the commit, in the background (``worker``), through the provider that
``SMS_BACKEND`` names (``backends``).
"""

from initiatives.sms import worker  # noqa: F401 - its commit hook starts the sender
from initiatives.sms.segments import segments

__all__ = ["segments"]
