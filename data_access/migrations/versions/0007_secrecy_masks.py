"""The presentation mode's masks, stored once per data version (issue 13)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 13:00:00

secrecy_masks holds, per reach (kind), year and secondary suppression on/off, the masks computed by
services.secrecy from the year's counts (their fingerprint), so that workers and hosts read them
instead of computing them, and an import computes again only the years it changed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('secrecy_masks',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('secondary', sa.Boolean(), nullable=False),
    sa.Column('fingerprint', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', 'secondary')
    )


def downgrade() -> None:
    op.drop_table('secrecy_masks')
