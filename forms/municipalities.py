"""The parameters of a municipality's local regulation (defaults of the model regulation)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from forms.base import Form, MultiCheckboxField, option
from initiatives.core.contacts import Phone
from initiatives.core.enums import PARTICIPANT_GROUPS

REQUIRED = _l("This field is required.")


class RegulationForm(Form):
    regulation_number = StringField(
        _l("Number of the ayil kenesh resolution adopting the regulation"),
        [Optional(), Length(max=50, message=_l("At most %(max)d characters.", max=50))],
    )
    regulation_date = DateField(_l("Date of the resolution"), [Optional()])
    # The ayil okmotu's bank details, printed in its agreements and payment records.
    bank_name = StringField(_l("Bank of the ayil okmotu"), [Optional(), Length(max=200)])
    bank_account = StringField(_l("Account of the ayil okmotu"), [Optional(), Length(max=34)])
    bank_bic = StringField(_l("BIK of the bank"), [Optional(), Length(max=20)])
    inn = StringField(_l("INN of the ayil okmotu"), [Optional(), Length(max=20)])
    min_commission_size = IntegerField(
        _l("Minimum number of commission members"),
        [InputRequired(REQUIRED), NumberRange(3, 51, _l("From 3 to 51."))],
    )
    odd_commission = BooleanField(_l("The number of members must be odd"))
    min_application_days = IntegerField(
        _l("Minimum application window, days"),
        [InputRequired(REQUIRED), NumberRange(1, 365, _l("From 1 to 365."))],
    )
    default_max_grant = DecimalField(
        _l("Default maximum grant, som"),
        [Optional(), NumberRange(min=Decimal("0.01"), message=_l("The amount must be positive."))],
        places=2,
    )
    min_own_share = DecimalField(
        _l("Default minimum own contribution, %"),
        [InputRequired(REQUIRED), NumberRange(0, 100, _l("A share between 0 and 100 per cent."))],
        places=2,
    )
    document_languages = SelectField(
        _l("Language of documents"),
        choices=[
            option("ky+ru", _l("Kyrgyz and Russian side by side")),
            option("ky", _l("Kyrgyz")),
            option("ru", _l("Russian")),
        ],
    )
    reminder_days = IntegerField(
        _l("Remind of due tranches and reports this many days ahead"),
        [InputRequired(REQUIRED), NumberRange(0, 90, _l("From 0 to 90."))],
    )
    standard_groups = MultiCheckboxField(
        _l("Participant groups counted in plans and reports"),
        choices=[option(code, _l(title)) for code, title in PARTICIPANT_GROUPS.items()],
    )
    own_groups = TextAreaField(
        _l("The municipality's own groups"),
        [Optional(), Length(max=1000)],
        description=_l(
            "One a line, for example: Migrants' families. They count people among the "
            "participants, like persons with disabilities."
        ),
    )

    address = StringField(
        _l("Address of the ayil okmotu"),
        [Optional(), Length(max=300, message=_l("At most %(max)d characters.", max=300))],
        description=_l("Printed with the phone in the letterhead of every document."),
    )
    address_ru = StringField(
        _l("Address in Russian"),
        [Optional(), Length(max=300, message=_l("At most %(max)d characters.", max=300))],
        description=_l("For the Russian copies; leave empty if the address reads the same."),
    )
    phone = StringField(
        _l("Phone of the ayil okmotu"),
        [Optional(), Phone(), Length(max=20, message=_l("At most %(max)d characters.", max=20))],
    )

    def validate_standard_groups(self, field):
        if not set(field.data or []) & {"women", "men", "girls", "boys"}:
            raise ValidationError(_l("Count at least one of women, men, girls and boys."))

    def participant_groups(self) -> list[str]:
        own = [line.strip()[:60] for line in (self.own_groups.data or "").splitlines()]
        standard = [c for c in PARTICIPANT_GROUPS if c in (self.standard_groups.data or [])]
        return standard + [g for g in dict.fromkeys(own) if g and g not in PARTICIPANT_GROUPS]
