"""Forms of an application, one per section, and of the screening.

A section form checks only the shape of what was typed (lengths, numbers, dates in order)
so a draft can always be saved half-done. Whether the application may be *submitted* (the
request within the maximum, the own share, the documents...) is the submit step's guards,
shown on the review page in the same words the refusal would use.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from forms.base import FiniteDecimalField, Form, option
from forms.competitions import REQUIRED, choices, short
from forms.scoring import meeting_form
from initiatives.core.contacts import Email, Phone
from initiatives.core.enums import SCREENING_CHECKS, ApplicantKind, InitiativeKind

# NUMERIC(14, 2) holds up to 999,999,999,999.99; a village budget line is far below this.
MAX_AMOUNT = Decimal("1000000000")
MAX_PEOPLE = 1_000_000
# Participants counted by sex and age: together they are everybody, each person once. Every
# other group (persons with disabilities, a municipality's own) is a part of that total.
ADDITIVE_GROUPS = ("women", "men", "girls", "boys")
# Spaces a person or a phone keyboard puts between thousands: "9 000", "9\u00a0000".
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2009'")


class AmountField(FiniteDecimalField):
    """An amount as people here write it: "9 000,50" as well as "9000.50". Kyrgyz and
    Russian write a decimal comma, and phone keyboards offer it; refusing it made a correct
    figure an error."""

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            value = valuelist[0].strip().translate(_THOUSANDS)
            if "," in value and "." not in value:
                value = value.replace(",", ".")
            valuelist = [value, *valuelist[1:]]
        super().process_formdata(valuelist)


def amount(label) -> AmountField:
    return AmountField(
        label,
        [
            Optional(),
            NumberRange(0, MAX_AMOUNT, _l("An amount from 0 to 1 000 000 000.")),
        ],
        places=2,
        default=Decimal("0"),
    )


class NoCsrf(Form):
    """Rows inside a form: the outer form carries the CSRF token."""

    class Meta:
        csrf = False


class ApplicantForm(Form):
    applicant_kind = RadioField(_l("Who applies"), choices=choices(ApplicantKind))
    applicant_name = StringField(_l("Name of the applicant or of the group's leader"), [short(200)])
    organisation_name = StringField(
        _l("Name of the group, organisation or company"), [Optional(), short(300)]
    )
    group_members = TextAreaField(
        _l("Members of the initiative group"),
        [Optional(), short(5000)],
        description=_l("One person a line: name, then a dash and the role if any."),
    )
    contact_phone = StringField(_l("Phone"), [Optional(), short(32), Phone()])
    contact_email = StringField(_l("E-mail"), [Optional(), short(254), Email()])
    village = StringField(_l("Village"), [short(120)])
    address = StringField(_l("Address"), [Optional(), short(300)])
    id_document_number = StringField(_l("Passport (ID card) number"), [Optional(), short(50)])

    def validate_contact_email(self, field):
        value = (field.data or "").strip()
        if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
            raise ValidationError(_l("This does not look like an e-mail address."))


class InitiativeForm(Form):
    title = StringField(_l("Title of the initiative"), [short(300)])
    initiative_kind = RadioField(_l("Kind of initiative"), choices=choices(InitiativeKind))
    priority_topic = SelectField(_l("Priority topic"), [Optional()])
    problem = TextAreaField(_l("The problem it solves"), [Optional(), short(10000)])
    goal = TextAreaField(_l("Goal and expected results"), [Optional(), short(10000)])
    target_groups = TextAreaField(_l("Who benefits"), [Optional(), short(5000)])
    sustainability = TextAreaField(
        _l("How it will be maintained after the funding"), [Optional(), short(10000)]
    )


class ActivityRow(NoCsrf):
    description = StringField(_l("Activity"), [Optional(), short(1000)])
    starts_on = DateField(_l("From"), [Optional()])
    ends_on = DateField(_l("To"), [Optional()])
    responsible = StringField(_l("Who is responsible"), [Optional(), short(200)])
    remove = BooleanField(_l("Remove"))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end is before the start."))


class PlanForm(Form):
    activities = FieldList(FormField(ActivityRow), min_entries=0, max_entries=100)


class BudgetRow(NoCsrf):
    item = StringField(_l("Item"), [short(300)])
    unit = StringField(_l("Unit"), [Optional(), short(40)])
    quantity = AmountField(
        _l("Quantity"),
        [Optional(), NumberRange(0, MAX_AMOUNT, _l("An amount from 0 to 1 000 000 000."))],
        places=2,
        default=Decimal("1"),
    )
    unit_price = amount(_l("Unit price"))
    local_amount = amount(_l("From the local budget"))
    own_amount = amount(_l("Own money"))
    in_kind_amount = amount(_l("In kind"))
    labour_amount = amount(_l("Labour (in som)"))
    partner_amount = amount(_l("Partners"))
    remove = BooleanField(_l("Remove"))

    def validate_item(self, field):
        has_numbers = any(
            (f.data or 0) > 0
            for f in (
                self.unit_price,
                self.local_amount,
                self.own_amount,
                self.in_kind_amount,
                self.labour_amount,
                self.partner_amount,
            )
        )
        if has_numbers and not (field.data or "").strip() and not self.remove.data:
            raise ValidationError(_l("Name the item this row pays for."))


class BudgetForm(Form):
    lines = FieldList(FormField(BudgetRow), min_entries=0, max_entries=100)


def participants_form(groups: list[tuple[str, str]], data: dict | None = None) -> Form:
    """A form with one number per participant group of the municipality (the groups are a
    setting, so the form class is made for them)."""

    class ParticipantsForm(Form):
        def validate(self, extra_validators=None):
            valid = super().validate(extra_validators)
            return not sub_groups_above_total(self, [code for code, _title in groups]) and valid

    for code, title in groups:
        setattr(
            ParticipantsForm,
            f"group_{code}",
            IntegerField(
                _l(title),
                [
                    Optional(),
                    NumberRange(0, MAX_PEOPLE, _l("A number from 0 to 1 000 000.")),
                ],
            ),
        )
    initial = {f"group_{code}": (data or {}).get(code) for code, _title in groups}
    return ParticipantsForm(data=initial)


def sub_groups_above_total(form: Form, codes: list[str], name=lambda code: f"group_{code}") -> bool:
    """Mark every group larger than all the participants together (women, men, girls and
    boys): 500 persons with disabilities among 2 participants is a typing error, and a
    report built on it would count people who do not exist. Nothing to compare with when
    none of the four is given."""
    additive = [form[name(c)] for c in codes if c in ADDITIVE_GROUPS]
    if not any(f.data is not None for f in additive) or any(f.errors for f in additive):
        return False
    total = sum(f.data or 0 for f in additive)
    marked = False
    for code in codes:
        field = form[name(code)]
        if code not in ADDITIVE_GROUPS and not field.errors and (field.data or 0) > total:
            field.errors.append(
                _l(
                    "More than all the participants together (%(total)s: women, men, girls "
                    "and boys): a part cannot be larger than the whole.",
                    total=total,
                )
            )
            marked = True
    return marked


class AttachmentForm(Form):
    doc_type = SelectField(_l("What the file is"), [InputRequired(REQUIRED)])
    file = FileField(_l("File (PDF, JPEG or PNG)"), [FileRequired(REQUIRED)])


class PaperIntakeForm(Form):
    """What the specialist types first from a paper application; the rest follows in the
    same sections an applicant fills online."""

    received_at = DateTimeLocalField(
        _l("Received at the office (Bishkek time)"), [InputRequired(REQUIRED)]
    )
    applicant_kind = RadioField(
        _l("Who applies"), choices=choices(ApplicantKind), default=ApplicantKind.INDIVIDUAL.value
    )
    applicant_name = StringField(
        _l("Name of the applicant or of the group's leader"), [InputRequired(REQUIRED), short(200)]
    )
    contact_phone = StringField(_l("Phone"), [Optional(), short(32), Phone()])
    village = StringField(_l("Village"), [InputRequired(REQUIRED), short(120)])
    title = StringField(_l("Title of the initiative"), [InputRequired(REQUIRED), short(300)])


class ScreeningForm(Form):
    decision = RadioField(
        _l("Decision"),
        [InputRequired(_l("Choose: admit or reject."))],
        choices=[option("admit", _l("Admit to scoring")), option("reject", _l("Reject"))],
    )
    # No Optional() here or on ``item`` below: it would stop the chain before the inline
    # validator that decides when an empty value is an error.
    reason = TextAreaField(_l("Reason for a rejection"), [short(2000)])

    def validate_reason(self, field):
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Write the reason: the applicant will read it."))


for _code, _title in SCREENING_CHECKS.items():
    setattr(ScreeningForm, f"check_{_code}", BooleanField(_l(_title)))


# The screening meeting votes once: on approving the screening as it stands.
SCREENING_MOTIONS = [{"key": "approve", "kind": "approve", "application_id": None}]


def screening_meeting_form(seats: list) -> type[Form]:
    """The meeting that approves the screening: date, place, attendance and the vote of
    each member present. The protocol prints them, so the place is required here."""

    class ScreeningMeetingForm(meeting_form(seats, SCREENING_MOTIONS)):
        place = StringField(
            _l("Place"), [InputRequired(_l("Enter the place of the meeting.")), short(200)]
        )

    return ScreeningMeetingForm


class ConfirmForm(Form):
    """A final step (submit, withdraw): the box must be ticked."""

    confirm = BooleanField(_l("I confirm"))


class WithdrawalRecordForm(Form):
    """The office records a withdrawal the applicant asked for on paper: why, and the scan
    of her signed request. The scan is checked in the view (by its content), and kept across
    a refused submission (``kept_file``) so it need not be chosen again."""

    reason = TextAreaField(
        _l("Reason, as the applicant's request gives it"), [DataRequired(REQUIRED), short(2000)]
    )
    file = FileField(_l("Scan of the applicant's written request (PDF, JPEG or PNG)"))
    kept_file = HiddenField()
    confirm = BooleanField(_l("I confirm"))
