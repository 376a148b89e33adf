"""Dates, amounts and names put into the grammatical case a sentence needs.

A Kyrgyz sentence marks the role of a date or an amount with a case ending: applications
are accepted "2025-жылдын 18-ноябрына чейин", a grant is "25 000 сомго чейин", a meeting
took place "2025-жылдын 18-ноябрында". Printing the nominative there ("2025-ж., 18-ноябрь
чейин") is what a reviewer sends back, so templates ask this module for the form the
sentence needs instead of pasting a table date into running text. The nominative table
form stays Babel's (``reports.language.Lang.date``).

Kyrgyz endings are regular, so one function (``ky_suffix``) attaches any case to any word
from two facts about it: its last vowel (vowel harmony) and its last sound (consonant
assimilation). The rules, with examples, are in docs/INFLECTION.md; the tests hold the
full tables a Kyrgyz reader can check line by line.

Russian dates need no inflection ("до 18 ноября 2025 г."), nor do amounts in figures ("до
25 000 сом"); what Russian needs is the genitive of a person's name in party clauses ("в
лице главы Ташиева Нурбека"). That is a best effort for the surnames and first names
usual in Kyrgyzstan, and a person's record can always give the exact form instead.

Pure like ``reports.amounts``: stdlib and ``reports.amounts`` only, no application.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

# The private helpers are shared on purpose: an amount must round and group exactly as
# the amount in words next to it does.
from reports.amounts import _GROUP_SEPARATOR, _split, kyrgyz_number

__all__ = [
    "CASES",
    "end_sentence",
    "ky_amount",
    "ky_date",
    "ky_number",
    "ky_possessive",
    "ky_suffix",
    "ky_year",
    "ru_amount",
    "ru_date",
    "ru_genitive_name",
]

# nom: nominative, gen: genitive (-нын), dat: dative (-га), acc: accusative (-ны),
# loc: locative (-да), abl: ablative (-дан), attr: the attributive locative (-дагы,
# "18-ноябрындагы чечим"), adj: the "worth, of" adjective (-дык, "25 000 сомдук грант").
CASES = ("nom", "gen", "dat", "acc", "loc", "abl", "attr", "adj")

BISHKEK = ZoneInfo("Asia/Bishkek")

_VOWELS = frozenset("аеёиоуыэюяөү")
_VOICELESS = frozenset("кпстфхцчшщ")
_SOFT_SIGNS = "ьъ"
# Closing quotes a suffix follows, as in «Манас»тын: skipped when reading the last sound.
_CLOSING = "»\"'”’"

# Last vowel -> (low suffix vowel, high suffix vowel). Kyrgyz rounds the low vowel after
# о and ө/ү but not after у: колго, көлгө, күнгө, but сууга, буйрукка, июнунда.
_HARMONY = {
    "а": ("а", "ы"),
    "ы": ("а", "ы"),
    "я": ("а", "ы"),
    "у": ("а", "у"),
    "ю": ("а", "у"),
    "о": ("о", "у"),
    "ё": ("о", "у"),
    "е": ("е", "и"),
    "э": ("е", "и"),
    "и": ("е", "и"),
    "ө": ("ө", "ү"),
    "ү": ("ө", "ү"),
}
# The high vowel that follows each low one inside a suffix (-дагы, -деги, -догу, -дөгү).
_HIGH_AFTER_LOW = {"а": "ы", "е": "и", "о": "у", "ө": "ү"}

# Russian loans written with е where Kyrgyz hears ё: "отчет" is said отчёт (отчетту).
_HARMONY_EXCEPTIONS = {"отчет": "о"}

# Words that in these documents only ever stand in the 3rd person possessive: the
# patronymic "уулу"/"кызы" of a name and "өкмөтү" of "айыл өкмөтү".
_ALWAYS_POSSESSIVE = frozenset({"уулу", "кызы", "өкмөтү"})

_TRAILING_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f]\d{3})*$")

_KY_MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
_RU_MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def _check_case(case: str) -> None:
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; expected one of {', '.join(CASES)}")


def _split_last_word(text: str) -> tuple[str, str]:
    """The text before the last word, and the last word: endings go on the last word."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"not a word: {text!r}")
    text = text.rstrip()
    head, _, last = text.rpartition(" ")
    return (f"{head} " if head else ""), last


def _harmony(word: str) -> tuple[str, str]:
    letters = word.lower().rstrip(_CLOSING)
    for stem, vowel in _HARMONY_EXCEPTIONS.items():
        if letters.endswith(stem):
            return _HARMONY[vowel]
    for letter in reversed(letters):
        if letter in _HARMONY:
            return _HARMONY[letter]
    raise ValueError(f"no vowel to harmonise with in {word!r}")


def _last_sound(word: str) -> str:
    """'V' vowel, 'J' the glide й, 'T' voiceless consonant, 'D' any other consonant."""
    letters = word.lower().rstrip(_CLOSING).rstrip(_SOFT_SIGNS)
    if not letters:
        raise ValueError(f"not a word: {word!r}")
    last = letters[-1]
    if last in _VOWELS:
        return "V"
    if last == "й":
        return "J"
    if last in _VOICELESS:
        return "T"
    return "D"


def _ending(word: str, case: str, possessive: bool) -> str:
    low, high = _harmony(word)
    if possessive:
        # After the 3rd person possessive the endings take the "pronominal n":
        # ноябры-нын, ноябры-на, ноябры-н, ноябры-нда, ноябры-нан, ноябры-ндагы.
        endings = {
            "gen": f"н{high}н",
            "dat": f"н{low}",
            "acc": "н",
            "loc": f"нд{low}",
            "abl": f"н{low}н",
            "attr": f"нд{low}г{_HIGH_AFTER_LOW[low]}",
        }
        if case not in endings:
            raise ValueError(f"case {case!r} does not follow a possessive ending")
        return endings[case]
    sound = _last_sound(word)
    voiceless = sound == "T"
    d = "т" if voiceless else "д"  # locative, ablative; genitive/accusative after consonants
    n_or_d = "н" if sound == "V" else d  # genitive and accusative
    return {
        "gen": f"{n_or_d}{high}н",
        "acc": f"{n_or_d}{high}",
        "dat": f"{'к' if voiceless else 'г'}{low}",
        "loc": f"{d}{low}",
        "abl": f"{d}{low}н",
        "attr": f"{d}{low}г{_HIGH_AFTER_LOW[low]}",
        "adj": f"{'л' if sound in 'VJ' else d}{high}к",
    }[case]


def _attach(word: str, ending: str) -> str:
    # The ending follows a closing quote («Манас»тын); the soft sign falls before it
    # (ноябрь -> ноябрга, апрель -> апрелде).
    stem = word.rstrip(_CLOSING)
    closing = word[len(stem) :]
    if not closing:
        stem = stem.rstrip(_SOFT_SIGNS)
    return f"{stem}{closing}{ending}"


def ky_suffix(word: str, case: str, *, possessive: bool = False) -> str:
    """``word`` (its last word, if a phrase) with the Kyrgyz ``case`` ending attached.

    ``possessive`` says the word already ends in the 3rd person possessive ("башчысы",
    "ноябры", what ``ky_possessive`` returns), which takes the endings with н
    (башчысына, not башчысыга). The caller says so because the spelling cannot: "башчы"
    ends in the same vowel. Only "уулу", "кызы" and "өкмөтү" are recognised unasked. A
    word ending in figures is read as the number it spells and takes the ending after a
    hyphen ("90-го").
    """
    _check_case(case)
    if case == "nom":
        return word
    head, last = _split_last_word(word)
    number = _TRAILING_NUMBER.search(word.rstrip())
    if number:
        if possessive:
            raise ValueError("a number in figures has no possessive form here")
        n = int(re.sub(r"\D", "", number.group()))
        spoken = kyrgyz_number(n).rpartition(" ")[2]
        return f"{word.rstrip()}-{_ending(spoken, case, False)}"
    possessive = possessive or last.lower() in _ALWAYS_POSSESSIVE
    if possessive and _last_sound(last) != "V":
        raise ValueError(f"{last!r} does not end in a possessive vowel")
    return head + _attach(last, _ending(last, case, possessive))


def ky_possessive(word: str) -> str:
    """The 3rd person possessive ("his, its"): ноябрь -> ноябры, башчы -> башчысы.

    A final к or п after a vowel is voiced before the vowel, as native words do (сынак ->
    сынагы, буйрук -> буйругу); after a consonant it stays (парк -> паркы).
    """
    head, last = _split_last_word(word)
    _, high = _harmony(last)
    stem = last.rstrip(_SOFT_SIGNS)
    if _last_sound(stem) == "V":
        return f"{head}{stem}с{high}"
    if len(stem) > 1 and stem[-2].lower() in _VOWELS and stem[-1] in "кпКП":
        voiced = {"к": "г", "п": "б", "К": "Г", "П": "Б"}[stem[-1]]
        stem = stem[:-1] + voiced
    return f"{head}{stem}{high}"


def ky_number(n: int, case: str = "nom") -> str:
    """A number in figures with its case ending after a hyphen: 0-дөн, 90-го, 5-ке."""
    kyrgyz_number(n)  # range and type check
    return ky_suffix(str(n), case)


def _as_date(value: date | datetime | str) -> date:
    """The calendar day in Bishkek: a moment stored in UTC may already be the next day."""
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(BISHKEK).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def ky_year(year: int, case: str = "nom") -> str:
    """A year in the case a sentence needs: 2025-жылдын, 2025-жылга чейин, 2025-жылы.

    The locative is the adverb "2025-жылы" (in 2025), not "2025-жылда", and the
    attributive is "2025-жылкы" (2025-жылкы бюджет), as official texts write them.
    """
    _check_case(case)
    if case == "adj":
        raise ValueError("a year has no -дык form here")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValueError(f"not a year: {year!r}")
    if case == "loc":
        return f"{year}-жылы"
    if case == "attr":
        return f"{year}-жылкы"
    return f"{year}-{ky_suffix('жыл', case)}"


def ky_date(value: date | datetime | str, case: str = "nom", *, with_year: bool = True) -> str:
    """A date inside a Kyrgyz sentence: the year in the genitive, the month possessive.

    "2025-жылдын 18-ноябры" (nominative, the heading form), "2025-жылдын 18-ноябрына
    чейин", "2025-жылдын 18-ноябрындагы № 5 чечим". ``with_year=False`` drops the year,
    for the second date of a range in the same year ("... 1-январынан 28-февралына чейин").
    """
    _check_case(case)
    if case == "adj":
        raise ValueError("a date has no -дык form")
    day = _as_date(value)
    month = ky_possessive(_KY_MONTHS[day.month - 1])
    text = f"{day.day}-{ky_suffix(month, case, possessive=True)}"
    return f"{ky_year(day.year, 'gen')} {text}" if with_year else text


def _figures(whole: int) -> str:
    return f"{whole:,}".replace(",", _GROUP_SEPARATOR)


def ky_amount(
    amount: Decimal | int | str,
    case: str = "nom",
    *,
    words: bool = False,
    always_tyiyn: bool = False,
) -> str:
    """An amount of som in a Kyrgyz sentence: "25 000 сомго чейин", "кеминде 500 сомдон".

    The ending goes on the last word: "сом", or "тыйын" when there are tyiyn ("25 000 сом
    50 тыйынга"). Tyiyn are shown when there are some, or always with ``always_tyiyn``,
    which with ``words`` gives exactly ``som_in_words`` plus the ending, as agreements
    print it ("жыйырма беш миң сом 00 тыйынга").
    """
    _check_case(case)
    whole, tyiyn = _split(amount)
    number = kyrgyz_number(whole) if words else _figures(whole)
    text = f"{number} сом"
    if tyiyn or always_tyiyn:
        text += f" {tyiyn:02d} тыйын"
    return ky_suffix(text, case)


def ru_amount(amount: Decimal | int | str) -> str:
    """An amount in figures in a Russian sentence: "до 25 000 сом", invariable.

    After figures official Russian keeps "сом" whatever the number and the preposition;
    only an amount in words agrees (``reports.amounts.som_in_words``).
    """
    whole, tyiyn = _split(amount)
    text = f"{_figures(whole)} сом"
    return f"{text} {tyiyn:02d} тыйын" if tyiyn else text


def ru_date(value: date | datetime | str, *, abbreviated: bool = True) -> str:
    """ "18 ноября 2025 г." (or "… 2025 года"); close a sentence with ``end_sentence``."""
    day = _as_date(value)
    year = "г." if abbreviated else "года"
    return f"{day.day} {_RU_MONTHS_GENITIVE[day.month - 1]} {day.year} {year}"


def end_sentence(text: str) -> str:
    """Close a sentence with one period: a date ending "г." gets no second one."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


# Russian genitive of names -------------------------------------------------------------

_RU_HUSHING = frozenset("гкхжчшщ")  # after them "ы" is spelt "и": Зулайка -> Зулайки
_RU_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшщ")
_PATRONYMIC_WORDS = ("уулу", "кызы")


def _ends(word: str, *endings: str) -> bool:
    return word.lower().endswith(endings)


def _guess_gender(surname: str, patronymic: str | None) -> str | None:
    if patronymic:
        if _ends(patronymic, "ич", "уулу", "улы"):
            return "m"
        if _ends(patronymic, "вна", "чна", "кызы", "кизи"):
            return "f"
    if _ends(surname, "уулу"):
        return "m"
    if _ends(surname, "кызы"):
        return "f"
    if _ends(surname, "ова", "ева", "ёва", "ина", "ына", "ская", "цкая"):
        return "f"
    if _ends(surname, "ов", "ев", "ёв", "ин", "ын", "ский", "цкий"):
        return "m"
    return None


def _ru_surname(surname: str, gender: str | None) -> str:
    if " " in surname.strip() or surname.endswith("."):
        return surname  # "Асанбек уулу", an initial: not declined
    if gender != "f":
        if _ends(surname, "ский", "цкий"):
            return surname[:-2] + "ого"
        if _ends(surname, "ов", "ев", "ёв", "ин", "ын"):
            return surname + "а"
    if gender != "m":
        if _ends(surname, "ская", "цкая"):
            return surname[:-2] + "ой"
        if _ends(surname, "ова", "ева", "ёва", "ина", "ына"):
            return surname[:-1] + "ой"
    return surname


def _ru_first_name(name: str, gender: str | None) -> str:
    if not name or name.endswith(".") or " " in name.strip():
        return name
    low = name.lower()
    if low.endswith("я"):
        return name[:-1] + "и"  # Алия -> Алии
    if low.endswith("а"):
        return name[:-1] + ("и" if low[-2:-1] in _RU_HUSHING else "ы")
    if low[-1] == "ь":
        if gender == "m":
            return name[:-1] + "я"  # Игорь -> Игоря
        if gender == "f":
            return name[:-1] + "и"  # Асель -> Асели
        return name
    if gender == "m" and low[-1] in _RU_CONSONANTS:
        if low[-1] == "й":
            return name[:-1] + "я"  # Сейитбай -> Сейитбая
        return name + "а"  # Нурбек -> Нурбека
    return name  # female names ending in a consonant, and names ending in о, и, у ...


def _ru_patronymic(patronymic: str) -> str:
    if _ends(patronymic, *_PATRONYMIC_WORDS) or patronymic.endswith("."):
        return patronymic
    if _ends(patronymic, "ич"):
        return patronymic + "а"
    if _ends(patronymic, "на"):
        return patronymic[:-1] + "ы"
    return patronymic


def ru_genitive_name(
    surname: str,
    first_name: str | None = None,
    patronymic: str | None = None,
    gender: str | None = None,
    *,
    genitive: str | None = None,
) -> str:
    """A person's name in the Russian genitive, surname first: "Ташиева Нурбека".

    A best effort: -ов/-ев/-ин -> -ова/-ева/-ина, -ова/-ева/-ина -> -овой/-евой/-иной,
    -ский/-ская -> -ского/-ской, other surnames unchanged; a man's first name ending in a
    consonant takes -а (Нурбек -> Нурбека), names in -а/-я take -ы/-и, a woman's name
    ending in a consonant stays. ``gender`` ("m" or "f") is guessed from the patronymic or
    the surname when not given; unknown, a consonant-final first name is left as it is.
    ``genitive``, when the person's record holds the exact form, is returned unchanged.
    """
    if genitive and genitive.strip():
        return genitive.strip()
    if gender not in (None, "m", "f"):
        raise ValueError(f"gender must be 'm', 'f' or None, not {gender!r}")
    gender = gender or _guess_gender(surname, patronymic)
    parts = [_ru_surname(surname.strip(), gender)]
    if first_name and first_name.strip():
        parts.append(_ru_first_name(first_name.strip(), gender))
    if patronymic and patronymic.strip():
        parts.append(_ru_patronymic(patronymic.strip()))
    return " ".join(parts)
