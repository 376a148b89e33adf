"""Forms after the awards: the agreement, its signing, payments and refunds, and the
implementation report (built per application: one field per activity, group and line)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from forms.applications import MAX_AMOUNT, MAX_PEOPLE, NoCsrf, sub_groups_above_total
from forms.base import FiniteDecimalField, Form, option

REQUIRED = _l("This field is required.")
POSITIVE = _l("An amount above 0 and up to 1 000 000 000.")
TRANCHE_ROWS = 4


def positive_amount(label, required: bool = True) -> FiniteDecimalField:
    return FiniteDecimalField(
        label,
        [
            InputRequired(REQUIRED) if required else Optional(),
            NumberRange(0.01, MAX_AMOUNT, POSITIVE),
        ],
        places=2,
    )


class TrancheForm(NoCsrf):
    due = DateField(_l("Due on"), [Optional()])
    amount = FiniteDecimalField(
        _l("Amount, som"), [Optional(), NumberRange(0.01, MAX_AMOUNT, POSITIVE)], places=2
    )


class AgreementForm(Form):
    number = StringField(_l("Number of the agreement"), [InputRequired(REQUIRED), Length(max=50)])
    obligations = TextAreaField(
        _l("The initiator's obligations in kind and in labour"),
        [Optional(), Length(max=4000)],
        description=_l("What the initiative group gives itself: work, premises, materials."),
    )
    implementation_due = DateField(_l("Implementation due"), [Optional()])
    report_due = DateField(_l("Report due"), [Optional()])
    tranches = FieldList(FormField(TrancheForm), min_entries=TRANCHE_ROWS, max_entries=12)
    # The initiator's bank details and PIN: the application does not ask for them.
    payee_bank_name = StringField(_l("The initiator's bank"), [Optional(), Length(max=200)])
    payee_account = StringField(_l("The initiator's bank account"), [Optional(), Length(max=34)])
    payee_bic = StringField(_l("BIK of the initiator's bank"), [Optional(), Length(max=20)])
    payee_pin = StringField(
        _l("The initiator's personal number (PIN)"), [Optional(), Length(max=20)]
    )

    def payee(self) -> dict:
        return {
            "bank_name": self.payee_bank_name.data,
            "account": self.payee_account.data,
            "bic": self.payee_bic.data,
            "pin": self.payee_pin.data,
        }

    def tranche_rows(self) -> list[dict]:
        return [
            {"due": row.due.data, "amount": row.amount.data}
            for row in self.tranches
            if row.amount.data is not None
        ]

    def validate_tranches(self, field):
        for row in field:
            if row.amount.data is not None and row.due.data is None:
                raise ValidationError(_l("Every tranche needs its due date."))
        if not self.tranche_rows():
            raise ValidationError(_l("Give at least one tranche."))


class SigningForm(Form):
    signed_on = DateField(_l("Signed on"), [InputRequired(REQUIRED)])
    file = FileField(
        _l("Scan of the signed agreement (PDF, JPEG or PNG)"), [FileRequired(REQUIRED)]
    )
    confirm = BooleanField(
        _l("Both parties have signed this agreement."), [InputRequired(REQUIRED)]
    )


class MoneyForm(Form):
    """A payment to the initiator or a refund from them: the same three facts."""

    day = DateField(_l("Date"), [InputRequired(REQUIRED)])
    amount = positive_amount(_l("Amount, som"))
    order_number = StringField(_l("Payment order No."), [InputRequired(REQUIRED), Length(max=50)])


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class ReversalForm(Form):
    """The correction of a booked payment or refund: which entry, when, and why."""

    entry = SelectField(_l("Entry to reverse"), validate_choice=False)
    day = DateField(_l("Date of the reversal"), [InputRequired(REQUIRED)])
    reason = TextAreaField(
        _l("Reason"),
        [DataRequired(_l("A reversal needs its reason.")), Length(max=1000)],
        filters=[_stripped],
        description=_l("What was booked wrongly, and the document that shows it."),
    )

    def entry_key(self) -> tuple[str, int] | None:
        """("payment" or "refund", the entry's id), or None for anything else."""
        kind, _sep, entry_id = (self.entry.data or "").partition("-")
        if kind not in ("payment", "refund") or not entry_id.isdigit():
            return None
        return kind, int(entry_id)


class ReportFileForm(Form):
    doc_type = SelectField(
        _l("Kind of file"),
        choices=[option("receipt", _l("Receipt or invoice")), option("photo", _l("Photo"))],
    )
    file = FileField(_l("File (PDF, JPEG or PNG)"), [FileRequired(REQUIRED)])


def report_form(activities: int, groups: list[tuple[str, str]], spending: int):
    """The report of one round: its activities, its participant groups, its spending rows.

    Rows are named by their position, not their id: the page shows a round before its
    first save makes the rows (a GET writes nothing), and the saved rows come in the same
    order."""

    class ReportForm(Form):
        results_text = TextAreaField(
            _l("Results of the initiative"),
            [Optional(), Length(max=8000)],
            description=_l("What was done, for whom, and what changed in the village."),
        )
        contribution_note = TextAreaField(
            _l("How the own contribution was given"),
            [Optional(), Length(max=4000)],
            description=_l("Work, materials, premises the initiative group gave itself."),
        )
        confirm = BooleanField(_l("The report is complete and true; submit it for checking."))

        def participants(self) -> dict:
            return {code: self[f"group_{i}"].data for i, (code, _t) in enumerate(groups)}

        def validate(self, extra_validators=None) -> bool:
            """The report's participants obey the application's rule: no part larger than
            the whole (persons with disabilities among women, men, girls and boys)."""
            valid = super().validate(extra_validators)
            position = {code: i for i, (code, _t) in enumerate(groups)}
            codes = list(position)
            return (
                not sub_groups_above_total(self, codes, lambda c: f"group_{position[c]}") and valid
            )

        def activities(self, ids: list[int]) -> dict:
            """Done and note per activity row, keyed by the ids of the saved round's rows."""
            return {
                row: (bool(self[f"done_{i}"].data), self[f"note_{i}"].data or "")
                for i, row in enumerate(ids[:activities])
            }

        def actual(self, ids: list[int]) -> dict:
            """The amounts typed, keyed by the ids of the saved round's spending rows."""
            return {
                row: self[f"actual_{i}"].data
                for i, row in enumerate(ids[:spending])
                if self[f"actual_{i}"].data is not None
            }

    for i in range(activities):
        setattr(ReportForm, f"done_{i}", BooleanField(_l("Done")))
        setattr(
            ReportForm,
            f"note_{i}",
            StringField(_l("What was done"), [Optional(), Length(max=1000)]),
        )
    for i, (_code, title) in enumerate(groups):  # by position: a municipality's own group
        setattr(  # is named in words, which is no field name
            ReportForm,
            f"group_{i}",
            IntegerField(title, [Optional(), NumberRange(0, MAX_PEOPLE)]),
        )
    for i in range(spending):
        setattr(
            ReportForm,
            f"actual_{i}",
            FiniteDecimalField(
                _l("Actual, som"),
                [Optional(), NumberRange(0, MAX_AMOUNT, _l("An amount from 0 to 1 000 000 000."))],
                places=2,
            ),
        )
    return ReportForm


class ConclusionForm(Form):
    """The head's conclusion of the final report, in both official languages."""

    conclusion_ky = TextAreaField(
        _l("Conclusion in Kyrgyz"),
        validators=[Optional(), Length(max=4000, message=_l("At most %(max)d characters."))],
    )
    conclusion_ru = TextAreaField(
        _l("Conclusion in Russian"),
        validators=[Optional(), Length(max=4000, message=_l("At most %(max)d characters."))],
    )
