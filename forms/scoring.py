"""Forms of the commission at work: conflict declarations, score sheets, the proposal of
winners, the results meeting, and the competition's scoring rules.

Declarations, sheets and the meeting have one field per application, criterion or member,
so their classes are built for the competition at hand.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from forms.base import FiniteDecimalField, Form, option

REQUIRED = _l("This field is required.")
TOO_LONG = _l("At most %(max)d characters.")
DATETIME = "%Y-%m-%dT%H:%M"
NO_CONFLICT, CONFLICT = "none", "conflict"


def conflict_form(keys: list[str]) -> type[Form]:
    """One answer and one nature field per application, named by ``keys``: the
    application's id, or in blind scoring an opaque key that names nothing the member could
    match with a score sheet (see ``initiatives.scoring.views.declaration_keys``)."""

    class ConflictForm(Form):
        def answers(self) -> dict[str, tuple[bool, str | None]]:
            return {
                k: (
                    self[f"answer_{k}"].data == CONFLICT,
                    (self[f"nature_{k}"].data or "").strip() or None,
                )
                for k in keys
            }

    for k in keys:
        setattr(
            ConflictForm,
            f"answer_{k}",
            RadioField(
                _l("Conflict of interest"),
                choices=[
                    option(NO_CONFLICT, _l("No conflict of interest")),
                    option(CONFLICT, _l("I have a conflict of interest")),
                ],
                validators=[InputRequired(_l("Choose one answer."))],
            ),
        )
        setattr(
            ConflictForm,
            f"nature_{k}",
            TextAreaField(
                _l("Nature of the conflict"), [Optional(), Length(max=2000, message=TOO_LONG)]
            ),
        )

    def validate(self, extra_validators=None):
        ok = Form.validate(self, extra_validators)
        for k in keys:
            answer, nature = self[f"answer_{k}"], self[f"nature_{k}"]
            if answer.data == CONFLICT and not (nature.data or "").strip():
                nature.errors = [*nature.errors, _l("Describe the nature of the conflict.")]
                ok = False
        return ok

    ConflictForm.validate = validate
    return ConflictForm


def sheet_form(criteria: list) -> type[Form]:
    """A score and an optional comment per criterion, within the criterion's scale."""

    class SheetForm(Form):
        version = HiddenField()
        action = HiddenField(default="save")
        confirm = BooleanField(_l("I have checked my scores: a submitted sheet cannot change."))

        def validate_confirm(self, field):
            """Asked before anything is saved: a submit refused for the box leaves the
            sheet, and so the version this page carries, as they were."""
            if self.action.data == "submit" and not field.data:
                raise ValidationError(
                    _l("Tick this box to submit the sheet: a submitted sheet cannot change.")
                )

        def values(self) -> dict[int, tuple]:
            return {
                k.id: (self[f"score_{k.id}"].data, self[f"comment_{k.id}"].data or "")
                for k in criteria
            }

    for k in criteria:
        low, high = Decimal(k.scale_min), Decimal(k.scale_max)
        setattr(
            SheetForm,
            f"score_{k.id}",
            FiniteDecimalField(
                _l("Score"),
                [
                    Optional(),
                    NumberRange(
                        low,
                        high,
                        _l("A score from %(min)s to %(max)s.", min=k.scale_min, max=k.scale_max),
                    ),
                ],
                places=None,
            ),
        )
        setattr(
            SheetForm,
            f"comment_{k.id}",
            TextAreaField(
                _l("Comment (optional)"), [Optional(), Length(max=2000, message=TOO_LONG)]
            ),
        )
    return SheetForm


class PartialForm(Form):
    amount = FiniteDecimalField(
        _l("Amount from the local budget, som"),
        [Optional(), NumberRange(min=Decimal("0.01"), message=_l("A positive amount."))],
        places=2,
    )


def meeting_form(seats: list, motions: list[dict]) -> type[Form]:
    """Attendance per seat and a vote per present member on each motion."""

    class MeetingForm(Form):
        held_at = DateTimeLocalField(
            _l("Date and time of the meeting"), [InputRequired(REQUIRED)], format=DATETIME
        )
        place = StringField(_l("Place"), [Optional(), Length(max=200, message=TOO_LONG)])
        minutes = TextAreaField(
            _l("What else was said (optional)"), [Optional(), Length(max=10000, message=TOO_LONG)]
        )
        unanimous = BooleanField(
            _l("Every member present voted for every motion (no need to tick each vote)")
        )

        def present(self) -> set[int]:
            return {s.id for s in seats if self[f"present_{s.id}"].data}

        def votes(self, eligible: dict[str, set[int]]) -> dict[str, dict[int, str]]:
            """The votes ticked; with ``unanimous``, "for" from every member present who
            may vote on the motion (a vote ticked otherwise still counts as ticked)."""
            present = self.present()
            chosen = {}
            for m in motions:
                ticked = {
                    s.id: self[f"vote_{m['key']}_{s.id}"].data
                    for s in seats
                    if self[f"vote_{m['key']}_{s.id}"].data in ("for", "against", "abstain")
                }
                if self.unanimous.data:
                    everyone = eligible[m["key"]] & present
                    ticked = {**dict.fromkeys(everyone, "for"), **ticked}
                chosen[m["key"]] = ticked
            return chosen

    for s in seats:
        setattr(MeetingForm, f"present_{s.id}", BooleanField(_l("Present")))
        for m in motions:
            setattr(
                MeetingForm,
                f"vote_{m['key']}_{s.id}",
                RadioField(
                    _l("Vote"),
                    choices=[
                        option("for", _l("For")),
                        option("against", _l("Against")),
                        option("abstain", _l("Abstain")),
                    ],
                    validators=[Optional()],
                ),
            )
    return MeetingForm


TIE_BREAK_CHOICES = [
    option("own_share", _l("Larger own-contribution share")),
    option("smaller_request", _l("Smaller request from the local budget")),
    option("registration", _l("Earlier registration")),
]


class ScoringRulesForm(Form):
    blind_scoring = BooleanField(
        _l("Blind scoring: members see codes instead of applicants' names and personal data")
    )
    tie_break_1 = SelectField(_l("On equal means, first"), choices=TIE_BREAK_CHOICES)
    tie_break_2 = SelectField(_l("then"), choices=TIE_BREAK_CHOICES)
    min_mean_score = FiniteDecimalField(
        _l("Minimum mean score for financing (optional)"),
        [Optional(), NumberRange(min=Decimal(0), message=_l("Not a negative number."))],
        places=2,
    )
    skip_unfit = BooleanField(
        _l("When a request does not fit in the money left, skip it and go on down the ranking")
    )
    casting_vote = BooleanField(_l("The chair's vote decides a tied vote"))

    def validate_tie_break_2(self, field):
        if field.data == self.tie_break_1.data:
            raise ValidationError(_l("Choose two different rules."))

    def settings(self) -> dict:
        return {
            "blind_scoring": bool(self.blind_scoring.data),
            "tie_breaks": [self.tie_break_1.data, self.tie_break_2.data],
            "min_mean_score": None
            if self.min_mean_score.data is None
            else str(self.min_mean_score.data),
            "skip_unfit": bool(self.skip_unfit.data),
            "casting_vote": bool(self.casting_vote.data),
        }
