"""Money amounts written in words, in Kyrgyz and in Russian, for official documents.

Grant agreements and budget statements repeat every amount in words so that the figures
cannot be altered unnoticed; 1 som = 100 tyiyn, and the tyiyn stay as two digits, as
Kyrgyz and Russian accounting writes them ("... сом 05 тыйын").

No library spells Kyrgyz numbers, so ``kyrgyz_number`` is written here. Kyrgyz numerals
compose regularly and additively from the largest part to the smallest (23 000 is
"жыйырма үч миң"), with one deliberate choice: the multiplier 1 is always spoken before
жүз, миң, миллион and миллиард ("бир жүз", "бир миң", "бир жүз миң", "он бир миң"),
although everyday speech often drops it. Financial documents spell the multiplier out so
that nothing can be written in front of a bare "миң" to turn one thousand into many, and
so that every group of three digits reads the same way wherever it stands.

Russian comes from num2words; only the agreement of "сом" with the number is added here.

The module is pure (stdlib, ``decimal`` and ``num2words``): it never imports
``initiatives``, so renderers and tests can use it without an application or a database.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

__all__ = ["amount_with_words", "kyrgyz_number", "russian_number", "som_in_words"]

MAX_NUMBER = 999_999_999_999
LANGS = ("ky", "ru")
CENT = Decimal("0.01")

_KY_UNITS = ("", "бир", "эки", "үч", "төрт", "беш", "алты", "жети", "сегиз", "тогуз")
_KY_TENS = (
    "",
    "он",
    "жыйырма",
    "отуз",
    "кырк",
    "элүү",
    "алтымыш",
    "жетимиш",
    "сексен",
    "токсон",
)
_KY_HUNDRED = "жүз"
# Largest first: the words are built big to small.
_KY_SCALES = ((10**9, "миллиард"), (10**6, "миллион"), (10**3, "миң"), (1, ""))

# Figures: narrow no-break space between thousands so an amount never breaks across lines.
_GROUP_SEPARATOR = "\u202f"
_DECIMAL_SEPARATOR = ","


def _check_range(n: int) -> None:
    # bool is an int, but True spelt "бир" in an agreement would hide a bug upstream.
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 0..{MAX_NUMBER:,}")


def _ky_below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds:
        # "бир жүз", never a bare "жүз": see the module docstring.
        words += [_KY_UNITS[hundreds], _KY_HUNDRED]
    if tens:
        words.append(_KY_TENS[tens])
    if units:
        words.append(_KY_UNITS[units])
    return words


def kyrgyz_number(n: int) -> str:
    """The cardinal in Kyrgyz words, lower case, the multiplier 1 always spoken."""
    _check_range(n)
    if n == 0:
        return "нөл"
    words: list[str] = []
    for scale, name in _KY_SCALES:
        group, n = divmod(n, scale)
        if group:
            words += _ky_below_thousand(group)
            if name:
                words.append(name)
    return " ".join(words)


def russian_number(n: int) -> str:
    """The cardinal in Russian words, range-checked like the Kyrgyz one so both agree."""
    _check_range(n)
    return num2words(n, lang="ru")


def _russian_som(n: int) -> str:
    # 1, 21, 101 сом; 2-4, 22-24 сома; 0, 5-20, 111-114, 25-30 сомов.
    if 11 <= n % 100 <= 14:
        return "сомов"
    last = n % 10
    if last == 1:
        return "сом"
    if 2 <= last <= 4:
        return "сома"
    return "сомов"


def _split(amount: Decimal | int | str) -> tuple[int, int]:
    """Whole som and tyiyn of an amount, rounded half up as accountants round."""
    # A float has already lost the exact amount (0.1 is not one tenth), so refuse it
    # rather than print a figure nobody entered.
    if isinstance(amount, bool | float):
        raise TypeError(f"expected a Decimal, int or str, got {type(amount).__name__}")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    if value < 0:
        raise ValueError(f"negative amount: {amount}")
    tyiyn_total = int(value.quantize(CENT, rounding=ROUND_HALF_UP) * 100)
    whole, tyiyn = divmod(tyiyn_total, 100)
    if whole > MAX_NUMBER:
        raise ValueError(f"amount {amount} is above {MAX_NUMBER:,} som")
    return whole, tyiyn


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")


def som_in_words(amount: Decimal | int | str, lang: str, *, capitalised: bool = False) -> str:
    """The amount as an agreement writes it in words; capitalised when it opens a sentence."""
    _check_lang(lang)
    whole, tyiyn = _split(amount)
    if lang == "ky":
        text = f"{kyrgyz_number(whole)} сом {tyiyn:02d} тыйын"
    else:
        text = f"{russian_number(whole)} {_russian_som(whole)} {tyiyn:02d} тыйын"
    return text[0].upper() + text[1:] if capitalised else text


def amount_with_words(amount: Decimal | int | str, lang: str) -> str:
    """Figures followed by words in parentheses, the form budget statements require."""
    _check_lang(lang)
    whole, tyiyn = _split(amount)
    figures = f"{whole:,}".replace(",", _GROUP_SEPARATOR)
    return f"{figures}{_DECIMAL_SEPARATOR}{tyiyn:02d} сом ({som_in_words(amount, lang)})"
