"""Forms of setting a competition up: money, commission, terms, criteria.

These check the shape of each input (required, a number, a date). Rules that need the
competition (the regulation's minimum window, the money available) are checked by
``initiatives.competitions.rules`` with the same sentences as the announcement's guards.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from forms.base import FiniteDecimalField, Form, MultiCheckboxField, option
from initiatives.core.contacts import Login
from initiatives.core.enums import (
    PRIORITIES,
    REQUIRED_DOCUMENTS,
    ApplicantKind,
    SeatCategory,
    SeatRole,
    SourceKind,
)

REQUIRED = _l("This field is required.")
POSITIVE = _l("The amount must be positive.")


def short(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def choices(enum) -> list:
    return [option(m.value, _l(m.title)) for m in enum]


class RequiredForLocalBudget:
    """Required when the source is the local budget, otherwise optional.

    Put before ``Optional()``: that one stops the whole chain on an empty field, the
    ``validate_<field>`` methods included, so a check written there never ran and an empty
    budget line reached the database's rule (a 409 page instead of this message)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        raw = field.raw_data[0] if field.raw_data else ""
        if form.kind.data == SourceKind.LOCAL_BUDGET and not str(raw or "").strip():
            field.errors[:] = []  # "not a valid date" says less than this
            raise StopValidation(self.message)


class NewCompetitionForm(Form):
    municipality_id = SelectField(_l("Municipality"), coerce=int)
    year = IntegerField(
        _l("Year"),
        [InputRequired(REQUIRED), NumberRange(2019, 2100, _l("A year between 2019 and 2100."))],
    )
    title_ky = StringField(_l("Title in Kyrgyz"), [InputRequired(REQUIRED), short(300)])
    title_ru = StringField(_l("Title in Russian"), [InputRequired(REQUIRED), short(300)])
    title_en = StringField(_l("Title in English"), [Optional(), short(300)])


class SourceForm(Form):
    source_id = HiddenField()
    kind = SelectField(_l("Source of money"), choices=choices(SourceKind))
    name = StringField(_l("Name"), [InputRequired(REQUIRED), short(200)])
    name_ru = StringField(
        _l("Name in Russian"),
        [Optional(), short(200)],
        description=_l("For the Russian copies; leave empty if the name reads the same."),
    )
    amount = FiniteDecimalField(
        _l("Amount, som"),
        [InputRequired(REQUIRED), NumberRange(min=Decimal("0.01"), message=POSITIVE)],
        places=2,
    )
    decision_number = StringField(
        _l("Number of the decision"),
        [
            RequiredForLocalBudget(_l("The ayil kenesh decision number is required.")),
            Optional(),
            short(50),
        ],
    )
    decision_date = DateField(
        _l("Date of the decision"),
        [
            RequiredForLocalBudget(_l("The date of the ayil kenesh decision is required.")),
            Optional(),
        ],
    )
    budget_line = StringField(
        _l("Budget line"),
        [
            RequiredForLocalBudget(_l("The budget line is required for local-budget money.")),
            Optional(),
            short(100),
        ],
    )
    per_winner_cap = FiniteDecimalField(
        _l("Limit per winner, som"),
        [Optional(), NumberRange(min=Decimal("0.01"), message=POSITIVE)],
        places=2,
    )
    conditions_ky = TextAreaField(_l("Conditions in Kyrgyz"), [Optional(), short(2000)])
    conditions_ru = TextAreaField(_l("Conditions in Russian"), [Optional(), short(2000)])
    conditions_en = TextAreaField(_l("Conditions in English"), [Optional(), short(2000)])

    def validate(self, extra_validators=None) -> bool:
        """Conditions are public and printed in Kyrgyz and Russian side by side: written in
        one official language, they are asked for in the other (a check on the empty
        field, which its ``Optional`` would skip)."""
        valid = super().validate(extra_validators)
        ky, ru = ((f.data or "").strip() for f in (self.conditions_ky, self.conditions_ru))
        if ky and not ru:
            self.conditions_ru.errors.append(_l("Write the conditions in Russian too."))
        elif ru and not ky:
            self.conditions_ky.errors.append(_l("Write the conditions in Kyrgyz too."))
        return valid and bool(ky) == bool(ru)

    def validate_per_winner_cap(self, field):
        if field.data is not None and self.amount.data and field.data > self.amount.data:
            raise ValidationError(_l("The limit per winner cannot exceed the amount."))


class SeatForm(Form):
    user_id = SelectField(_l("Registered user"), coerce=int, default=0)
    login = StringField(
        _l("Or invite a person by their e-mail or phone"), [Optional(), short(254), Login()]
    )
    outside_name = StringField(_l("Or full name of an outside person"), [Optional(), short(200)])
    position = StringField(_l("Position or occupation"), [Optional(), short(200)])
    position_ru = StringField(_l("Position in Russian"), [Optional(), short(200)])
    seat_role = SelectField(
        _l("Role in the commission"), choices=choices(SeatRole), default="member"
    )
    category = SelectField(_l("Represents"), choices=choices(SeatCategory), default="community")

    def validate(self, extra_validators=None) -> bool:
        """Exactly one way of naming the person (a field-level check would be skipped
        when the field is empty, because the field is optional)."""
        valid = super().validate(extra_validators)
        given = [
            bool(self.user_id.data),
            bool((self.login.data or "").strip()),
            bool((self.outside_name.data or "").strip()),
        ]
        if sum(given) == 0:
            self.outside_name.errors.append(
                _l("Choose a registered user or write the person's full name.")
            )
        elif sum(given) > 1:
            self.outside_name.errors.append(
                _l("Choose a registered user or write a name, not both.")
            )
        return valid and sum(given) == 1


class OrderForm(Form):
    order_number = StringField(
        _l("Number of the head's order"), [InputRequired(REQUIRED), short(50)]
    )
    order_date = DateField(_l("Date of the order"), [InputRequired(REQUIRED)])


DATETIME = "%Y-%m-%dT%H:%M"


class TermsForm(Form):
    version = HiddenField()
    title_ky = StringField(_l("Title in Kyrgyz"), [InputRequired(REQUIRED), short(300)])
    title_ru = StringField(_l("Title in Russian"), [InputRequired(REQUIRED), short(300)])
    title_en = StringField(_l("Title in English"), [Optional(), short(300)])
    text_ky = TextAreaField(_l("Text of the announcement in Kyrgyz"), [Optional(), short(10000)])
    text_ru = TextAreaField(_l("Text of the announcement in Russian"), [Optional(), short(10000)])
    text_en = TextAreaField(_l("Text of the announcement in English"), [Optional(), short(10000)])
    priorities = MultiCheckboxField(_l("Priorities"))
    eligible_applicants = MultiCheckboxField(_l("Who may apply"), choices=choices(ApplicantKind))
    max_grant = FiniteDecimalField(
        _l("Maximum grant from the local budget, som"),
        [InputRequired(REQUIRED), NumberRange(min=Decimal("0.01"), message=POSITIVE)],
        places=2,
    )
    min_own_share = FiniteDecimalField(
        _l("Minimum own contribution, share of the budget (%)"),
        [
            InputRequired(REQUIRED),
            NumberRange(0, 100, _l("A share between 0 and 100 per cent.")),
        ],
        places=2,
    )
    required_documents = MultiCheckboxField(
        _l("Required documents"), choices=[option(k, _l(v)) for k, v in REQUIRED_DOCUMENTS.items()]
    )
    opens_at = DateTimeLocalField(_l("Applications accepted from"), [Optional()], format=DATETIME)
    submission_deadline = DateTimeLocalField(
        _l("Applications accepted until"), [Optional()], format=DATETIME
    )
    implementation_deadline = DateTimeLocalField(
        _l("Initiatives carried out by"), [Optional()], format=DATETIME
    )
    report_deadline = DateTimeLocalField(
        _l("Reports on spending due by"), [Optional()], format=DATETIME
    )
    paper_intake_ky = TextAreaField(
        _l("Where and how paper applications are accepted (Kyrgyz)"), [Optional(), short(2000)]
    )
    paper_intake_ru = TextAreaField(
        _l("Where and how paper applications are accepted (Russian)"), [Optional(), short(2000)]
    )
    paper_intake_en = TextAreaField(
        _l("Where and how paper applications are accepted (English)"), [Optional(), short(2000)]
    )

    def set_priority_choices(self, codes: list[str]) -> None:
        self.priorities.choices = [option(code, _l(PRIORITIES.get(code, code))) for code in codes]

    def validate_priorities(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one priority."))

    def validate_eligible_applicants(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one kind of applicant."))


class CriterionForm(Form):
    class Meta:
        csrf = False  # a row of the criteria form, which carries the token

    criterion_id = HiddenField()
    title_ky = StringField(_l("Criterion in Kyrgyz"), [InputRequired(REQUIRED), short(300)])
    title_ru = StringField(_l("Criterion in Russian"), [InputRequired(REQUIRED), short(300)])
    title_en = StringField(_l("Criterion in English"), [Optional(), short(300)])
    scale_min = IntegerField(
        _l("Lowest score"), [InputRequired(REQUIRED), NumberRange(0, 1000, _l("From 0 to 1000."))]
    )
    scale_max = IntegerField(
        _l("Highest score"), [InputRequired(REQUIRED), NumberRange(1, 1000, _l("From 1 to 1000."))]
    )
    weight = FiniteDecimalField(
        _l("Weight"),
        [
            InputRequired(REQUIRED),
            NumberRange(Decimal("0.01"), Decimal(100), _l("From 0.01 to 100.")),
        ],
        places=2,
    )
    remove = BooleanField(_l("Remove"))

    def validate_scale_max(self, field):
        low, high = self.scale_min.data, field.data
        if low is not None and high is not None and high <= low:
            raise ValidationError(_l("The highest score must be above the lowest."))


class CriteriaForm(Form):
    version = HiddenField()
    criteria = FieldList(FormField(CriterionForm), min_entries=0, max_entries=20)

    def validate_criteria(self, field):
        if all(row.form.remove.data for row in field):
            raise ValidationError(_l("Keep at least one criterion."))
