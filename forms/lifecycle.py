"""The form behind every step button: a CSRF token, the version of the page it was shown
with, and the inputs some steps need (a reason, an amount, a decision number)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional


class StepForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    reason = TextAreaField(_l("Reason or comment"), validators=[Optional(), Length(max=4000)])
    amount = DecimalField(_l("Amount, som"), places=2, validators=[Optional(), NumberRange(min=0)])
    decision_number = StringField(
        _l("Number of the decision"), validators=[Optional(), Length(max=50)]
    )
    decision_date = DateField(_l("Date of the decision"), validators=[Optional()])
    confirm = HiddenField()

    def step_data(self) -> dict:
        """Only the inputs that were given: a guard decides whether a step needs them."""
        names = ("reason", "amount", "decision_number", "decision_date")
        return {n: getattr(self, n).data for n in names if getattr(self, n).data not in (None, "")}
