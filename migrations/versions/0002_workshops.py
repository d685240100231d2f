"""Live workshops: join codes, opened challenges, anonymous participants, votes, kept counts.

Only new tables, so nothing existing is copied or rewritten (no batch table rebuilds). The
enums are stored as strings, as in 0001, so new values need no type migration.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:34:50.577250

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('join_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='workshop_status', native_enum=False, length=20), nullable=False),
    sa.Column('current_challenge_id', sa.String(length=60), nullable=True),
    sa.Column('started_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_workshops_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops')),
    sa.UniqueConstraint('join_code', name=op.f('uq_workshops_join_code'))
    )
    op.create_index(op.f('ix_workshops_assessment_id'), 'workshops', ['assessment_id'], unique=False)

    op.create_table('workshop_challenges',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=60), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_challenges_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'challenge_id', name=op.f('pk_workshop_challenges'))
    )

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('perspective', sa.Enum('staff', 'peer_worker', 'service_user', 'carer', 'other', name='perspective', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_participants_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_participants_token_hash'))
    )
    op.create_index(op.f('ix_participants_workshop_id'), 'participants', ['workshop_id'], unique=False)

    # The primary key (participant, challenge) is what makes a repeated vote an upsert.
    op.create_table('votes',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=60), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_votes_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', 'challenge_id', name=op.f('pk_votes'))
    )

    op.create_table('vote_tallies',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=60), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('not_sure', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_vote_tallies_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_vote_tallies_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assessment_id', 'challenge_id', name=op.f('pk_vote_tallies'))
    )
    op.create_index(op.f('ix_vote_tallies_workshop_id'), 'vote_tallies', ['workshop_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_vote_tallies_workshop_id'), table_name='vote_tallies')
    op.drop_table('vote_tallies')
    op.drop_table('votes')
    op.drop_index(op.f('ix_participants_workshop_id'), table_name='participants')
    op.drop_table('participants')
    op.drop_table('workshop_challenges')
    op.drop_index(op.f('ix_workshops_assessment_id'), table_name='workshops')
    op.drop_table('workshops')
