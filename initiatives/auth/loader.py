"""Flask-Login's user loader: a session or remember-me cookie names a user, the session
generation it was issued in (``User.get_id``) and, since sessions are listed on the account
page, the row of that browser's session (``auth.sessions``). One from an earlier generation
(the user logged out everywhere, changed the password or was deactivated since), or whose
row was ended, loads nobody. A token without a row (issued before rows existed) is judged
by its generation alone."""

from initiatives.auth import sessions
from initiatives.auth.models import User
from initiatives.extensions import db


def load_user(token: str) -> User | None:
    if len(token) > 80:
        return None
    user_id, generation, *rest = [*token.split("."), ""][:3]
    row_id = rest[0] if rest else ""
    if not (user_id.isdigit() and generation.isdigit()) or token.count(".") > 2:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    if token.count(".") == 2 and not (row_id and sessions.check(user, row_id)):
        return None
    return user
