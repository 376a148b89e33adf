"""A person's own account, recovery of a forgotten password, proof of a phone."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from forms.base import Form, option
from initiatives.core.contacts import Email, Login, Phone

LANGUAGES = [option("ky", "Кыргызча"), option("ru", "Русский"), option("en", "English")]


def _new_password(label=None):
    return PasswordField(
        label or _l("New password"),
        [DataRequired(), Length(min=10, max=200, message=_l("At least 10 characters."))],
    )


def _again():
    return PasswordField(
        _l("New password again"),
        [DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


def _code():
    return StringField(
        _l("Code"),
        [DataRequired(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class ProfileForm(Form):
    full_name = StringField(_l("Your full name"), [DataRequired(), Length(max=200)])
    locale = RadioField(_l("Language"), choices=LANGUAGES)
    email = StringField(_l("E-mail"), [Optional(), Length(max=254), Email()])
    phone = StringField(
        _l("Phone"),
        [Optional(), Length(max=32), Phone()],
        description=_l("A new number is saved once you type the code we send to it by SMS."),
    )


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), [DataRequired(), Length(max=200)])
    password = _new_password()
    password_again = _again()


class SessionForm(Form):
    session = HiddenField(validators=[DataRequired(), Length(max=32)])


class ConfirmForm(Form):
    confirm = BooleanField(_l("Yes, end every session"), [DataRequired()])


class CodeForm(Form):
    code = _code()


class ForgotForm(Form):
    login = StringField(_l("E-mail or phone"), [DataRequired(), Length(max=254), Login()])


class CodeResetForm(Form):
    login = StringField(_l("E-mail or phone"), [DataRequired(), Length(max=254)])
    code = _code()
    password = _new_password()
    password_again = _again()


class LinkResetForm(Form):
    password = _new_password()
    password_again = _again()


class OfficeResetForm(Form):
    login = StringField(
        _l("The citizen's login (phone or e-mail), exactly"),
        [DataRequired(), Length(max=254)],
    )
    passport_tail = StringField(
        _l("Last 4 characters of the passport number"),
        [
            DataRequired(),
            Regexp(
                r"^\s*[0-9A-Za-zА-Яа-яЁёӨөҮүҢң]{4}\s*$", message=_l("Exactly 4 letters or digits.")
            ),
        ],
    )
    passport_checked = BooleanField(
        _l("I checked the passport: the person in front of me is the account's owner"),
        [DataRequired(message=_l("Check the passport and tick the box."))],
    )
