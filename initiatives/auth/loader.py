"""Flask-Login's user loader: a session or remember-me cookie names a user and the session
generation it was issued in (``User.get_id``); one from an earlier generation (the user
logged out, changed the password or was deactivated since) loads nobody."""

from initiatives.auth.models import User
from initiatives.extensions import db


def load_user(token: str) -> User | None:
    user_id, _, generation = token.partition(".")
    if not (user_id.isdigit() and generation.isdigit()) or len(token) > 40:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user
