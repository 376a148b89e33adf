"""funding_source: conditions per language (conditions_ky, conditions_ru, conditions_en)

A donor's conditions were one text, so whatever language it was typed in showed in the
Russian column of the documents and on the Russian page alike. They are now written per
language like every other public text.

Each existing text moves to the language it is written in: Kyrgyz when it holds a letter
only the Kyrgyz alphabet has (ө, ү, ң, which nearly every Kyrgyz sentence does), otherwise
Russian, the language the pages fell back to and the one donors' agreements are mostly
written in (an English text also lands there, so that it still shows on every page). It is
not copied into both: that would print one language twice, side by side, as now. The
specialist adds the other language when next correcting the source; until then the pages
and new documents show the one there is, as they do for titles.

Documents already issued keep what they printed (their snapshot holds the old text).

Downgrade puts back one text: the Russian one, else the Kyrgyz, else the English.

Revision ID: a7b8c9d0e1f2
Revises: f1a2b3c4d5e6
Create Date: 2026-12-04 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7b8c9d0e1f2"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None

KYRGYZ_LETTERS = set("өүңӨҮҢ")
LANGUAGES = ("ky", "ru", "en")

source = sa.table(
    "funding_source",
    sa.column("id", sa.Integer),
    sa.column("conditions", sa.Text),
    *(sa.column(f"conditions_{code}", sa.Text) for code in LANGUAGES),
)


def language_of(text: str) -> str:
    return "ky" if KYRGYZ_LETTERS & set(text) else "ru"


def upgrade():
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        for code in LANGUAGES:
            batch_op.add_column(
                sa.Column(f"conditions_{code}", sa.Text(), nullable=False, server_default="")
            )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(source.c.id, source.c.conditions).where(source.c.conditions != "")
    ).all()
    for id_, text in rows:
        conn.execute(
            source.update()
            .where(source.c.id == id_)
            .values({f"conditions_{language_of(text)}": text})
        )
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        for code in LANGUAGES:
            batch_op.alter_column(f"conditions_{code}", server_default=None)
        batch_op.drop_column("conditions")


def downgrade():
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conditions", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    conn.execute(
        source.update().values(
            conditions=sa.case(
                (source.c.conditions_ru != "", source.c.conditions_ru),
                (source.c.conditions_ky != "", source.c.conditions_ky),
                else_=source.c.conditions_en,
            )
        )
    )
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.alter_column("conditions", server_default=None)
        for code in LANGUAGES:
            batch_op.drop_column(f"conditions_{code}")
