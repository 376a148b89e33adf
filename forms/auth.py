"""Login and account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from forms.base import Form, option
from initiatives.core.contacts import Login


class LoginForm(Form):
    login = StringField(_l("E-mail or phone"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me on this device"))


class RegisterForm(Form):
    """A citizen's account: a name, a phone or an e-mail, a password and a language."""

    full_name = StringField(_l("Your full name"), [DataRequired(), Length(max=200)])
    login = StringField(
        _l("Phone or e-mail"),
        [DataRequired(), Length(max=254), Login()],
        description=_l("You will log in with it, and we write to it about your application."),
    )
    password = PasswordField(
        _l("Password"),
        [DataRequired(), Length(min=10, max=200, message=_l("At least 10 characters."))],
    )
    password_again = PasswordField(
        _l("Password again"),
        [DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    locale = RadioField(
        _l("Language"),
        choices=[option("ky", "Кыргызча"), option("ru", "Русский"), option("en", "English")],
        default="ky",
    )
