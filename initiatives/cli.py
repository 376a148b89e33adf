"""``flask --app initiatives ...`` commands: demo data, users, workflow diagrams, backups."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from initiatives.auth import operations as accounts
from initiatives.core.enums import Role
from initiatives.extensions import db
from initiatives.maintenance.cli import backup, restore
from initiatives.municipalities.models import Municipality
from workflows import WORKFLOWS

users = AppGroup("users", help="Manage user accounts.")
workflows_cli = AppGroup("workflows", help="Inspect the lifecycle state machines.")
competitions_cli = AppGroup("competitions", help="Scheduled work on competitions.")
notifications_cli = AppGroup("notifications", help="The e-mail copies of notifications.")
sms_cli = AppGroup("sms", help="The SMS outbox.")


def _send_sms() -> int:
    """Let a sender a step started finish, then send what is still due (the process ends
    after a command, and a background sender with it)."""
    from initiatives.sms import worker
    from initiatives.sms.operations import deliver_pending_sms

    worker.wait()
    return deliver_pending_sms(limit=1000)


@sms_cli.command("send")
def send_sms():
    """Send the SMS messages that are due now: new ones, retries whose wait is over, and
    those the daily cap held back on an earlier day. Run it from cron every few minutes
    (``competitions tick`` does it too)."""
    click.echo(f"{_send_sms()} SMS message(s) sent.")


@notifications_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many e-mails.")
def send_notifications(limit):
    """Send the e-mails of notifications not sent yet (when MAIL_SERVER is set).

    Steps send them right after they are committed; run this from cron to retry the ones a
    mail server that was down could not take (each is tried at most 5 times).
    """
    from flask import current_app

    from initiatives.notifications.operations import deliver_pending

    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: notifications stay in the application only.")
        return
    sent = deliver_pending(limit=limit)
    click.echo(f"{sent} e-mail(s) sent.")


@competitions_cli.command("tick")
def tick():
    """Close the intake of every competition whose submission deadline has passed.

    Run it from cron every few minutes; pages also close a due competition when it is read.
    """
    from initiatives.competitions.clock import close_all_due

    def progress(c, closed):
        state = "closed the intake" if closed else "left as it is (someone else acted)"
        click.echo(f"competition {c.id} ({c.year}, {c.title('en') or c.title_ru}): {state}")

    closed = close_all_due(progress=progress)
    click.echo(f"{len(closed)} competition(s) closed.")
    click.echo(f"{_send_sms()} SMS message(s) sent.")


@notifications_cli.command("remind")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend it is this day.")
def remind(today):
    """Remind of tranches, implementation and reports due within each municipality's
    notice (reminder_days), and of what is overdue. Idempotent: run it daily from cron.
    """
    from flask import current_app

    from initiatives.grants import reminders
    from initiatives.notifications.operations import deliver_pending

    made = reminders.send(today=today.date() if today else None)
    db.session.commit()
    click.echo(f"{made} reminder(s) written.")
    if current_app.config.get("MAIL_SERVER"):
        click.echo(f"{deliver_pending()} e-mail(s) sent.")
    click.echo(f"{_send_sms()} SMS message(s) sent.")


@users.command("create")
@click.option(
    "--login", required=True, help="E-mail address or phone number (stored as +996555123456)."
)
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--municipality", "slug", help="Slug of the municipality for municipal roles.")
@click.option("--locale", type=click.Choice(["ky", "ru", "en"]), default="ky")
def create_user(login, full_name, password, roles, slug, locale):
    """Create an account with roles, e.g. a specialist of one municipality."""
    municipality_id = None
    if slug:
        municipality = db.session.scalar(select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            raise click.UsageError(f"no municipality with slug {slug!r}")
        municipality_id = municipality.id
    grants = [
        (Role(r), None if Role(r) in (Role.OVERSIGHT, Role.ADMIN) else municipality_id)
        for r in roles
    ]
    if any(m is None and r not in (Role.OVERSIGHT, Role.ADMIN) for r, m in grants):
        raise click.UsageError("municipal roles need --municipality")
    try:
        user = accounts.create_user(
            login=login, full_name=full_name, password=password, locale=locale, roles=grants
        )
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created user {user.id} ({user.login}) with roles: {', '.join(roles) or '-'}")


@users.command("list")
def list_users():
    from initiatives.auth.models import User

    for user in db.session.scalars(select(User).order_by(User.id)):
        grants = ", ".join(
            f"{g.role.value}@{g.municipality.slug if g.municipality else '*'}" for g in user.grants
        )
        click.echo(f"{user.id:4}  {user.login:32}  {user.full_name:32}  {grants}")


def _account(login: str):
    user = accounts.find_by_login(login)
    if user is None:
        raise click.ClickException(f"no account with login {login!r}")
    return user


@users.command("password")
@click.argument("login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(login, password):
    """Set a new password; every session of the account ends."""
    user = _account(login)
    try:
        accounts.change_password(user, password)
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"password changed for {user.login}; its sessions are ended")


@users.command("deactivate")
@click.argument("login")
def deactivate(login):
    """Close an account (someone who left the office): it can no longer log in, and every
    session and remember-me cookie of it ends at once."""
    user = _account(login)
    accounts.deactivate(user)
    db.session.commit()
    click.echo(f"deactivated {user.login}; its sessions are ended")


@users.command("logout")
@click.argument("login")
def logout_everywhere(login):
    """End every session and remember-me cookie of an account (a lost phone)."""
    user = _account(login)
    accounts.end_sessions(user)
    db.session.commit()
    click.echo(f"ended every session of {user.login}")


@workflows_cli.command("diagram")
@click.argument("name", required=False, type=click.Choice(sorted(WORKFLOWS)))
def diagram(name):
    """Print the state machines as Mermaid state diagrams."""
    for workflow in [WORKFLOWS[name]] if name else WORKFLOWS.values():
        click.echo(
            f"%% {workflow.name}: {len(list(workflow.states))} states, "
            f"{len(workflow.transitions)} transitions"
        )
        click.echo(workflow.to_mermaid())
        click.echo()


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
def demo(if_empty):
    """Load the demo municipality with a competition in every state and a user per role."""
    from initiatives.demo.loader import DEMO_PASSWORD, load_demo

    if if_empty and db.session.scalar(select(func.count(Municipality.id))):
        click.echo("The database already has data; demo not loaded.")
    else:
        with click.progressbar(length=100, label="Loading demo data") as bar:
            load_demo(progress=bar.update)
        db.session.commit()
        click.echo("Demo data loaded.")
    from initiatives.demo.loader import DEMO_LOGINS

    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for login, what in DEMO_LOGINS:
        click.echo(f"  {login:28} {what}")


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(users)
    app.cli.add_command(workflows_cli)
    app.cli.add_command(competitions_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(sms_cli)
    app.cli.add_command(demo)
    from initiatives.admin.cli import municipalities_cli

    app.cli.add_command(municipalities_cli)
