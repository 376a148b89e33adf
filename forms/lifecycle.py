"""The form behind every step button: a CSRF token, the version of the page it was shown
with, and the inputs some steps need (a reason, an amount, a decision number); and the
head's decision on financing, which has a page of its own."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forms.base import FiniteDecimalField, Form

TOO_LONG = _l("At most %(max)d characters.")


def _stripped(value):
    """A number typed with spaces around it is the same number; only spaces is none."""
    return value.strip() if isinstance(value, str) else value


class StepForm(Form):
    version = IntegerField(validators=[Optional()])
    reason = TextAreaField(
        _l("Reason or comment"), validators=[Optional(), Length(max=4000, message=TOO_LONG)]
    )
    amount = FiniteDecimalField(
        _l("Amount, som"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    decision_number = StringField(
        _l("Number of the decision"),
        filters=[_stripped],
        validators=[Optional(), Length(max=50, message=TOO_LONG)],
    )
    decision_date = DateField(_l("Date of the decision"), validators=[Optional()])
    confirm = HiddenField()

    def step_data(self) -> dict:
        """Only the inputs that were given: a guard decides whether a step needs them."""
        names = ("reason", "amount", "decision_number", "decision_date")
        return {n: getattr(self, n).data for n in names if getattr(self, n).data not in (None, "")}


class DecisionForm(Form):
    """The head's decision on financing. Its number is the legal ground of every payment
    (the database refuses announced winners without one), so it is asked here, by field,
    never left for the database to refuse."""

    version = IntegerField(validators=[Optional()])
    decision_number = StringField(
        _l("Number of the decision"),
        filters=[_stripped],
        validators=[
            DataRequired(_l("Enter the number of the head's decision.")),
            Length(max=50, message=TOO_LONG),
        ],
    )
    decision_date = DateField(_l("Date of the decision"), validators=[Optional()])
    confirm = BooleanField(_l("I understand this step is final and cannot be undone."))

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(_l("This step is final: tick the confirmation box to take it."))

    def step_data(self) -> dict:
        data = {"decision_number": self.decision_number.data}
        if self.decision_date.data is not None:
            data["decision_date"] = self.decision_date.data
        return data
