"""user_account, application: phones in E.164, e-mails lowercased; one account per number

Phones were stored as typed (less the spaces), so "0555123456" and "+996555123456" were two
accounts of one number. Every phone is rewritten with the function the forms use now
(``initiatives.core.contacts.normalise_phone``, Kyrgyz when no country code is given); a
number that function refuses stays as it was (its account still logs in with it: the login
looks such a number up in the old spelling).

Where several accounts hold one number, one keeps it, chosen in this order:

1. an account without an e-mail address, since the phone is its only way in, while an
   account with an address keeps logging in with the address;
2. the one that logged in most recently, since a number in Kyrgyzstan passes to a new
   subscriber after months unused and the latest login is the person who has it now;
3. the one created first, then the lower id (accounts that never logged in).

The others lose the number if they have an e-mail address. An account with no address
cannot lose its only login (the ``has_login`` rule): it keeps the spelling it was stored in
(if that spelling is the E.164 one, it takes the kept account's old spelling), cannot log in
by that number any more, and is listed by id for the administrator to settle with the person.

E-mail addresses are stripped and lowercased (they have been stored so since the start, so
this only meets rows typed in by hand); an address whose lowercased form another account
already has is left as it is and listed by id.

The unique constraint ``uq_user_account_phone`` exists since the initial schema; it held
apart only the spellings, and with one spelling per number it now holds one account per
number, on SQLite and PostgreSQL alike, without a change to the schema.

Application contact phones are rewritten the same way (a number refused stays as typed);
documents already issued keep what they printed.

The output names accounts by id only: no phone or address is written to a log.

Downgrade leaves the data as it is: E.164 is a spelling the previous code also stored
and found.

Revision ID: f1a2b3c4d5e6
Revises: e5a1c9d0b7f3
Create Date: 2026-12-04 10:00:00

"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from initiatives.core.contacts import ContactError, canonical_email, normalise_phone
from initiatives.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'e5a1c9d0b7f3'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')

users = sa.table(
    'user_account',
    sa.column('id', sa.Integer),
    sa.column('email', sa.String),
    sa.column('phone', sa.String),
    sa.column('last_login_at', UTCDateTime),
    sa.column('created_at', UTCDateTime),
)
applications = sa.table(
    'application', sa.column('id', sa.Integer), sa.column('contact_phone', sa.String)
)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def e164(phone: str | None) -> str | None:
    try:
        return normalise_phone(phone) if phone else None
    except ContactError:
        return None


def _keeper_order(row):
    """Sort key: the account that keeps a shared number comes first (see the docstring)."""
    last_login = (row.last_login_at or EARLIEST) - EARLIEST
    return (row.email is not None, -last_login.total_seconds(), row.created_at, row.id)


def plan_phones(rows) -> tuple[list[tuple[int, str | None]], list[int], list[int]]:
    """(updates as (id, new phone) in an order the unique constraint accepts, ids of
    accounts that lost their number, ids of accounts that kept a number they share).

    The order: first every number given up (so no spelling is held twice), then every
    kept number takes its E.164 spelling, then an account without an address that held
    that spelling takes the one the kept account had (which is free by then)."""
    groups = defaultdict(list)
    for row in rows:
        number = e164(row.phone)
        if number is not None:
            groups[number].append(row)
    give_up, take, swap, cleared, stranded = [], [], [], [], []
    for number, group in groups.items():
        keeper, *others = sorted(group, key=_keeper_order)
        for other in others:
            if other.email is not None:
                give_up.append((other.id, None))
                cleared.append(other.id)
                continue
            stranded.append(other.id)
            if other.phone == number:
                give_up.append((other.id, f'#{other.id}'))  # a spelling no login has
                swap.append((other.id, keeper.phone))
        if keeper.phone != number:
            take.append((keeper.id, number))
    return give_up + take + swap, sorted(cleared), sorted(stranded)


def plan_emails(rows) -> tuple[list[tuple[int, str]], list[int]]:
    taken = {row.email for row in rows if row.email is not None}
    updates, left = [], []
    for row in rows:
        if row.email is None or canonical_email(row.email) == row.email:
            continue
        address = canonical_email(row.email)
        if address in taken:
            left.append(row.id)
        else:
            taken.add(address)
            updates.append((row.id, address))
    return updates, left


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.select(users).order_by(users.c.id)).all()
    emails, emails_left = plan_emails(rows)
    for user_id, address in emails:
        conn.execute(users.update().where(users.c.id == user_id).values(email=address))
    rows = conn.execute(sa.select(users).order_by(users.c.id)).all()
    phones, cleared, stranded = plan_phones(rows)
    for user_id, phone in phones:
        conn.execute(users.update().where(users.c.id == user_id).values(phone=phone))
    contacts = 0
    for app_id, phone in conn.execute(
        sa.select(applications.c.id, applications.c.contact_phone).where(
            applications.c.contact_phone != ''
        )
    ).all():
        number = e164(phone)
        if number is not None and number != phone:
            conn.execute(
                applications.update()
                .where(applications.c.id == app_id)
                .values(contact_phone=number)
            )
            contacts += 1
    log.info(
        'phones: %d account(s) rewritten, %d application contact(s) rewritten',
        len({user_id for user_id, _ in phones}), contacts,
    )
    if cleared:
        log.info('shared numbers removed from accounts %s (they log in by e-mail)', cleared)
    if stranded:
        log.warning('accounts %s share a number and have no e-mail: settle them', stranded)
    if emails_left:
        log.warning('accounts %s have an address another account has in lowercase', emails_left)


def downgrade():
    pass
