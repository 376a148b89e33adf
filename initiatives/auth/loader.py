"""Flask-Login's user loader."""

from initiatives.auth.models import User
from initiatives.extensions import db


def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
