"""The CLI: demo data, users, workflow diagrams."""

from sqlalchemy import func, select

from initiatives.competitions.models import Competition
from initiatives.documents.models import Document
from workflows import APPLICATION, COMPETITION


def test_workflow_diagrams(app):
    out = app.test_cli_runner().invoke(args=["workflows", "diagram"]).output
    assert out.count("stateDiagram-v2") == 2
    assert f"%% competition: {len(COMPETITION.states)} states" in out
    assert f"%% application: {len(APPLICATION.states)} states" in out
    assert "announced --> applications_closed : close_applications" in out


def test_demo_has_a_competition_in_every_state_and_loads_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "specialist@orozbekov.example" in result.output
    states = set(db.session.scalars(select(Competition.state)))
    assert states == {s.value for s in COMPETITION.states}
    documents = db.session.scalar(select(func.count()).select_from(Document))
    again = runner.invoke(args=["demo", "--if-empty"])
    assert "already has data" in again.output
    assert db.session.scalar(select(func.count()).select_from(Document)) == documents


def test_users_create(app, db, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--login",
            "new@orozbekov.example",
            "--name",
            "New Specialist",
            "--role",
            "specialist",
            "--municipality",
            "orozbekov",
        ],
        input="long-enough-password\nlong-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    refused = runner.invoke(
        args=[
            "users",
            "create",
            "--login",
            "x@y.example",
            "--name",
            "X",
            "--password",
            "short",
            "--role",
            "head",
            "--municipality",
            "orozbekov",
        ]
    )
    assert refused.exit_code != 0 and "10 characters" in refused.output
