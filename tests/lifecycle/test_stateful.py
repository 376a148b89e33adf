"""Random triggers fired by random people at random times, with the data steps a real
competition has in between. Whatever happens, the invariants hold."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, func, select

from initiatives.audit.models import AuditEvent
from initiatives.core.errors import Refused
from initiatives.demo import builder, loader
from initiatives.documents.models import Document
from initiatives.lifecycle.errors import NotPermitted
from initiatives.lifecycle.operations import fire
from initiatives.scoring import operations as scoring_operations
from workflows import APPLICATION, COMPETITION, GuardsFailed, InvalidTrigger
from workflows.competition import AWARDED_OR_LATER

EXITS = {
    "cancel",
    "declare_failed",
    "withdraw",
    "record_withdrawal",
    "terminate",
    "reject",
    "not_award",
}
ACTORS = [
    "specialist",
    "head",
    "chair",
    "secretary",
    "member",
    "applicant",
    "admin",
    "oversight",
    "system",
]


def make_machine(app, db):
    class Lifecycle(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            m = loader.orozbekov()
            self.cast = loader.people(m)
            self.admin = next(u for u in _users(db) if u.email == "admin@demo.example")
            self.oversight = next(u for u in _users(db) if u.email == "oversight@demo.example")
            c = builder.new_competition(
                m,
                self.cast,
                builder_t0(),
                title=loader.TITLES,
                year=2026,
                local_budget=Decimal("23000"),
                donor_pool=Decimal("50000"),
                max_grant=Decimal("15000"),
                min_own_share=Decimal("5.00"),
                priorities=loader.PRIORITIES,
                required_documents=["budget"],
            )
            pairs = list(zip(self.cast.applicants, loader.PROPOSALS, strict=True))
            self.run = builder.Run(c, self.cast, builder_t0(), pairs)
            self.now = builder_t0() - timedelta(days=20)
            self.fired = 0
            self.documents = 0
            self.drafted = False
            self._real_fire = builder.fire
            # The builder's steps, and those the scoring operations take, count like ours.
            builder.fire = scoring_operations.fire = self.counted

        def counted(self, *args, **kwargs):
            done = self._real_fire(*args, **kwargs)
            self.fired += 1
            self.documents += len(done.transition.documents)
            return done

        def teardown(self):
            builder.fire = scoring_operations.fire = self._real_fire
            db.session.rollback()
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(delete(table))
            db.session.expire_all()

        def actor(self, name):
            cast = self.cast
            return {
                "specialist": cast.specialist,
                "head": cast.head,
                "chair": cast.members[0],
                "secretary": cast.members[1],
                "member": cast.members[2],
                "applicant": cast.applicants[0],
                "admin": self.admin,
                "oversight": self.oversight,
                "system": None,
            }[name]

        def subjects(self):
            return [self.run.c] + [a for a, _p in self.run.apps]

        # --- time and data ----------------------------------------------------------

        @rule(days=st.integers(min_value=0, max_value=4))
        def time_passes(self, days):
            self.now += timedelta(days=days)

        @rule()
        def seat_the_commission(self):
            if not self.run.c.seats and self.run.c.state in ("draft", "funded"):
                builder.seat_commission(self.run.c, self.cast, self.run.t0)

        @rule()
        def draft_applications(self):
            if not self.drafted and self.run.c.state == "announced":
                self.drafted = True
                for applicant, p in self.run.proposals:
                    a = builder.draft_application(self.run.c, applicant, p, self.run.t0)
                    self.run.apps.append((a, p))

        @rule()
        def take_the_next_main_step(self):
            """Directed progress, so random runs also reach scoring, awards and closing."""
            step = builder.STEPS.get(self.run.c.state)
            if step is None or (self.run.c.state == "commission_formed" and self.drafted):
                return
            if self.run.c.state == "commission_formed":
                self.drafted = True  # the announcement step drafts and submits them
            apps = list(self.run.apps)
            savepoint = db.session.begin_nested()
            try:
                step(self.run)
                savepoint.commit()
            except (InvalidTrigger, NotPermitted, GuardsFailed, Refused):
                savepoint.rollback()  # the step is undone whole; so is our bookkeeping
                self.run.apps = apps
                self.resync()

        def resync(self):
            """After a rollback, recount from the database what really happened."""
            db.session.expire_all()
            self.fired = db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.to_state.is_not(None))
            )
            self.documents = db.session.scalar(
                select(func.count()).select_from(Document).where(Document.kind.not_in(MEMBERS))
            )

        @rule()
        def score_everything(self):
            if self.run.c.state != "scoring":
                return
            for a, p in self.run.apps:
                if a.state == "admitted" and not a.score_sheets:
                    builder.score_sheets(self.run, a, p)

        @rule(approve=st.booleans())
        def hold_the_results_meeting(self, approve):
            held = [m for m in self.run.c.meetings if m.purpose == "results"]
            if self.run.c.state == "scoring" and not held:
                present = {s.id for s in self.run.c.seats}
                choice = "for" if approve else "against"
                from initiatives.core.enums import MeetingPurpose
                from initiatives.scoring import operations as scoring

                scoring.record_meeting(
                    self.run.c,
                    self.cast.members[1],
                    purpose=MeetingPurpose.RESULTS,
                    held_at=self.now,
                    present=present,
                    motions=[{"kind": "approve", "votes": dict.fromkeys(present, choice)}],
                )

        @rule()
        def sign_and_report(self):
            from initiatives.grants import operations as grants

            for a, p in self.run.apps:
                try:
                    if a.state == "awarded" and a.agreement is None:
                        grants.record_agreement(
                            a, self.cast.specialist, number=str(a.id), signed_on=self.now.date()
                        )
                    elif a.state in ("reporting", "returned"):
                        builder.fill_report(self.run, a, p)
                except Refused:
                    pass

        # --- the steps ----------------------------------------------------------------

        @rule(data=st.data())
        def fire_a_trigger(self, data):
            """Mostly a step that is possible now, by someone who may take it; sometimes
            anything by anyone, which must then be refused without a trace."""
            subject = data.draw(st.sampled_from(self.subjects()))
            workflow = COMPETITION if subject is self.run.c else APPLICATION
            possible = workflow.from_state(subject.state)
            forward = [t for t in possible if t.trigger not in EXITS]
            if forward and data.draw(st.integers(0, 19)) < 18:
                possible = forward  # exits stay possible, but rarer, so runs go deep
            if possible and data.draw(st.integers(0, 9)) < 8:
                transition = data.draw(st.sampled_from(possible))
                trigger = transition.trigger
                roles = sorted(transition.roles - {"admin"}) or ["admin"]
                who = data.draw(st.sampled_from(roles))
                actor = self.actor_for(who, subject)
            else:
                trigger = data.draw(st.sampled_from(workflow.triggers))
                actor = self.actor(data.draw(st.sampled_from(ACTORS)))
            extra = data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "reason": st.sampled_from(["Reason given", "  "]),
                        "amount": st.sampled_from(["5000", "11000", "12000", "30000", "-1", "x"]),
                        "decision_number": st.just("42"),
                    },
                )
            )
            try:
                done = fire(subject, trigger, actor, now=self.now, **extra)
            except (InvalidTrigger, NotPermitted, GuardsFailed):
                return
            self.fired += 1
            self.documents += len(done.transition.documents)

        def actor_for(self, role, subject):
            if role == "owner":
                return getattr(subject, "owner", None) or self.cast.applicants[0]
            return self.actor(role)

        # --- invariants ---------------------------------------------------------------

        @invariant()
        def no_award_beyond_the_money(self):
            awarded = sum(
                (a.awarded_amount or 0 for a, _p in self.run.apps if a.state in AWARDED_OR_LATER),
                Decimal(0),
            )
            assert awarded <= self.run.c.local_budget_amount

        @invariant()
        def every_change_has_its_audit_event_and_documents(self):
            db.session.flush()
            events = db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.to_state.is_not(None))
            )
            assert events == self.fired
            documents = db.session.scalar(
                select(func.count()).select_from(Document).where(Document.kind.not_in(MEMBERS))
            )
            assert documents == self.documents

        @invariant()
        def no_step_passed_without_its_document(self):
            c = self.run.c
            kinds = {
                d.kind.value
                for d in db.session.scalars(select(Document).where(Document.competition_id == c.id))
            }
            for state, kind in [
                ("funded", "budget_allocation"),
                ("commission_formed", "commission_order"),
                ("announced", "announcement"),
                ("applications_closed", "applications_register"),
                ("scoring", "screening_protocol"),
                ("results_approved", "results_protocol"),
                ("winners_announced", "winners_decision"),
                ("closed", "final_report"),
            ]:
                if _reached(c.state, state):
                    assert kind in kinds, (c.state, kind)

    return Lifecycle


def builder_t0():
    from tests.conftest import T0

    return T0


def _users(db):
    from initiatives.auth.models import User

    return db.session.scalars(select(User)).all()


# Each member's own documents (declaration, score sheets) are registered when the member
# finishes, and a payment record when the office books a payment: not by a step of the
# workflow.
MEMBERS = ["conflict_declaration", "score_sheet", "payment_record"]
MAIN = [s.value for s in COMPETITION.states if s.value not in ("cancelled", "failed")]


def _reached(current: str, state: str) -> bool:
    return current in MAIN and MAIN.index(current) >= MAIN.index(state)


def test_random_lifecycles_keep_the_invariants(app, db):
    machine = make_machine(app, db)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=200,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
