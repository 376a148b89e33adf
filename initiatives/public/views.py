"""Pages anyone may read, without login. No personal data here, ever."""

from __future__ import annotations

from flask import Blueprint, render_template

from initiatives.competitions import queries
from initiatives.extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    competitions = db.session.scalars(queries.public()).all()
    return render_template("public/index.html", competitions=competitions)
