"""Action follow-up: campaigns, their target lists and the steps recorded for each establishment

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:30:00

(Another branch adds 0004; the revisions are chained when the branches are merged.)
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'campaigns',
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('theme', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('perimeter', sa.String(length=4), nullable=False),
        sa.Column('rule_query', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("theme IN ('msap_ssr','msap_ambu','caqes','transfert_ssr','autre')",
                           name='ck_campaign_theme'),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_table(
        'campaign_targets',
        sa.Column('campaign', sa.String(length=30), nullable=False),
        sa.Column('finess', sa.String(length=9), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.String(length=100), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign'], ['campaigns.code']),
        sa.ForeignKeyConstraint(['finess'], ['establishments.finess']),
        sa.PrimaryKeyConstraint('campaign', 'finess'),
    )
    op.create_index('ix_campaign_targets_finess', 'campaign_targets', ['finess'], unique=False)
    op.create_table(
        'action_steps',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('campaign', sa.String(length=30), nullable=False),
        sa.Column('finess', sa.String(length=9), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.Column('medecin', sa.String(length=100), nullable=True),
        sa.Column('participants', sa.String(length=500), nullable=True),
        sa.Column('compliant', sa.Boolean(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('entered_by', sa.String(length=100), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("step IN ('ciblee','contactee','entretien','profil_remis','msap_notifiee','contrat_signe',"
                           "'engagement','sans_suite','controle','close')", name='ck_action_step'),
        sa.ForeignKeyConstraint(['campaign', 'finess'], ['campaign_targets.campaign', 'campaign_targets.finess'],
                                name='fk_action_target'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_action_steps_target', 'action_steps', ['campaign', 'finess', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_action_steps_target', table_name='action_steps')
    op.drop_table('action_steps')
    op.drop_index('ix_campaign_targets_finess', table_name='campaign_targets')
    op.drop_table('campaign_targets')
    op.drop_table('campaigns')
