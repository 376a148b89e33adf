"""The operator's forms: a municipality, an import, a staff invitation, a confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from forms.base import Form, option
from forms.municipalities import RegulationForm
from initiatives.core.contacts import Login

REQUIRED = _l("This field is required.")
SLUG_RULE = _l("Small Latin letters, digits and hyphens, such as ak-tal.")


def _text(label, size: int, required: bool = True, **kw):
    validators = [InputRequired(REQUIRED)] if required else []
    validators.append(Length(max=size, message=_l("At most %(max)d characters.", max=size)))
    return StringField(label, validators, **kw)


class MunicipalityForm(RegulationForm):
    """What names and places a municipality, with its regulation's parameters (the same
    fields as its own regulation page, so both show one set of rules)."""

    slug = StringField(
        _l("Short name in addresses (slug)"),
        [
            InputRequired(REQUIRED),
            Length(max=64, message=_l("At most %(max)d characters.", max=64)),
            Regexp(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", message=SLUG_RULE),
        ],
        description=SLUG_RULE,
        filters=(lambda v: (v or "").strip().lower(),),
    )
    name_ky = _text(_l("Name in Kyrgyz"), 200)
    name_ru = _text(_l("Name in Russian"), 200)
    name_en = _text(_l("Name in English"), 200, required=False)
    region = _text(_l("Region"), 100)
    district = _text(_l("District"), 100)


class ImportForm(Form):
    spreadsheet = FileField(_l("Spreadsheet (CSV or XLSX)"))


class ConfirmImportForm(Form):
    key = HiddenField()


STAFF_ROLES = (("specialist", _l("AO specialist")), ("head", _l("Head of the ayil okmotu")))
LANGUAGES = (("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English"))


class InviteForm(Form):
    login = StringField(
        _l("E-mail or phone of the person"),
        [InputRequired(REQUIRED), Login(), Length(max=254)],
        description=_l(
            "An e-mail receives a link; a phone receives an SMS with a code to enter after "
            "logging in."
        ),
    )
    role = SelectField(_l("Role"), choices=[option(v, t) for v, t in STAFF_ROLES])
    locale = SelectField(
        _l("Language of the message"), choices=[option(v, t) for v, t in LANGUAGES]
    )


class ConfirmForm(Form):
    confirm = BooleanField(_l("Yes, I am sure"), [InputRequired(REQUIRED)])


class AnswerForm(Form):
    """Accept or decline: the button pressed says which."""

    answer = HiddenField()


class JoinCodeForm(Form):
    code = StringField(
        _l("Code from the SMS"),
        [InputRequired(REQUIRED), Length(max=20)],
    )
