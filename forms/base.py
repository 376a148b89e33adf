"""The base of every form: WTForms' own messages ("This field is required.") go through our
gettext catalogues, so they appear in Kyrgyz too (WTForms ships no Kyrgyz catalogue)."""

from __future__ import annotations

from flask_babel import get_translations, gettext
from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, SelectChoice, SelectMultipleField, widgets


class _Catalogue:
    def gettext(self, message: str) -> str:
        return gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Unformatted, as WTForms expects: it fills in "%(max)d" itself, and Flask-Babel's
        # ngettext would format with ``num`` alone and fail on the other names (a 500 for
        # any text longer than its field's Length).
        return get_translations().ungettext(singular, plural, n)


def _no_nul(value):
    """NUL characters cannot be stored in PostgreSQL text and are never typed by a person."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Catalogue()

        def bind_field(self, form, unbound_field, options):
            if not issubclass(unbound_field.field_class, FieldList | FormField):
                filters = unbound_field.kwargs.get("filters", ())
                unbound_field.kwargs["filters"] = (_no_nul, *filters)
            return unbound_field.bind(form=form, **options)


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN and Infinity, which Decimal parses but no amount is
    (and which would make every later comparison raise)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def option(value, label) -> SelectChoice:
    return SelectChoice(value, label)


def N_(message: str) -> str:
    return message


# WTForms' built-in messages that our forms can show, listed so extraction puts them in the
# catalogues (they live in WTForms' code, which pybabel does not scan).
BUILTIN_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid decimal value."),
    N_("Not a valid integer value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("'%(value)s' is not a valid choice for this field."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
)
