"""Virage ambulatoire: the 55 marker procedures' grouping in the catalogue, regional targets

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:40:00

ambulatory_groups gains `specialty` (the surgical discipline the procedures are grouped by) and
`marker_number` (GM01..GM55 of the official list; '' outside it); ambulatory_targets holds the
regional (and optional local) targets imported as kind `ambulatory_targets`.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ambulatory_groups') as batch:
        batch.add_column(sa.Column('specialty', sa.String(length=60), nullable=False, server_default=''))
        batch.add_column(sa.Column('marker_number', sa.String(length=4), nullable=False, server_default=''))
    op.create_table('ambulatory_targets',
    sa.Column('region_code', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('target_pct', sa.Float(), nullable=False),
    sa.CheckConstraint('target_pct >= 0 AND target_pct <= 100', name='ck_ambu_target_pct'),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], ),
    sa.PrimaryKeyConstraint('region_code', 'year', 'departement_code')
    )


def downgrade() -> None:
    op.drop_table('ambulatory_targets')
    with op.batch_alter_table('ambulatory_groups') as batch:
        batch.drop_column('marker_number')
        batch.drop_column('specialty')
