"""SSR totals: ssr_recourse summed for the SSR view, kept by the imports; a covering index on ssr_recourse

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:00:00

The tables are filled here from the facts already stored and marked consistent with the current
data version; from then on every import keeps them (data_access/ssr_totals.py).
"""
from itertools import product

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _rollups() -> tuple[str, str]:
    """INSERT … SELECT statements that fill both tables from ssr_recourse (frozen here: the
    migration must not change when data_access/ssr_totals.py does)."""
    dep = []
    for g, a, s in product((True, False), repeat=3):
        cols = [c if keep else f"'*' AS {c}" for c, keep in (("gesture", g), ("age_band", a), ("legal_status", s))]
        keys = [c for c, keep in (("gesture", g), ("age_band", a), ("legal_status", s)) if keep]
        dep.append(f"SELECT {', '.join(cols)}, year, departement_code, region_code, SUM(stays) AS stays, "
                   f"SUM(stays_with_ssr) AS stays_with_ssr FROM f "
                   f"GROUP BY {', '.join(keys + ['year', 'departement_code', 'region_code'])}")
    dep_sql = (
        "WITH f AS (SELECT s.gesture, s.age_band, e.legal_status, s.year, e.departement_code, e.region_code, "
        "SUM(s.stays) AS stays, SUM(s.stays_with_ssr) AS stays_with_ssr "
        "FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess "
        "GROUP BY s.gesture, s.age_band, e.legal_status, s.year, e.departement_code, e.region_code) "
        "INSERT INTO ssr_departement_totals (gesture, age_band, legal_status, year, departement_code, "
        "region_code, stays, stays_with_ssr) " + " UNION ALL ".join(dep))
    est_sql = ("INSERT INTO ssr_establishment_totals (year, gesture, finess, stays, stays_with_ssr) "
               "SELECT year, gesture, finess, SUM(stays), SUM(stays_with_ssr) FROM ssr_recourse "
               "GROUP BY year, gesture, finess "
               "UNION ALL SELECT year, '*', finess, SUM(stays), SUM(stays_with_ssr) FROM ssr_recourse "
               "GROUP BY year, finess")
    return dep_sql, est_sql


def upgrade() -> None:
    op.create_table('ssr_departement_totals',
    sa.Column('gesture', sa.String(length=10), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('legal_status', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('region_code', sa.String(length=3), nullable=False),
    sa.Column('stays', sa.Integer(), nullable=False),
    sa.Column('stays_with_ssr', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('gesture', 'age_band', 'legal_status', 'year', 'departement_code'),
    sqlite_with_rowid=False
    )
    op.create_table('ssr_establishment_totals',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('gesture', sa.String(length=10), nullable=False),
    sa.Column('finess', sa.String(length=9), nullable=False),
    sa.Column('stays', sa.Integer(), nullable=False),
    sa.Column('stays_with_ssr', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'gesture', 'finess'),
    sqlite_with_rowid=False
    )
    op.create_table('derived_state',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('ssr_recourse', schema=None) as batch_op:
        batch_op.drop_index('ix_ssr_year_gesture_age')
        batch_op.create_index('ix_ssr_year_gesture_finess',
                              ['year', 'gesture', 'finess', 'age_band', 'stays', 'stays_with_ssr'], unique=False)
    for sql in _rollups():
        op.execute(sql)
    op.execute("INSERT INTO derived_state (name, data_version) "
               "SELECT 'ssr_totals', COALESCE((SELECT version FROM data_version WHERE id = 1), 0)")


def downgrade() -> None:
    with op.batch_alter_table('ssr_recourse', schema=None) as batch_op:
        batch_op.drop_index('ix_ssr_year_gesture_finess')
        batch_op.create_index('ix_ssr_year_gesture_age', ['year', 'gesture', 'age_band'], unique=False)
    op.drop_table('derived_state')
    op.drop_table('ssr_establishment_totals')
    op.drop_table('ssr_departement_totals')
