"""Dates, amounts and names in the case a Kyrgyz or Russian sentence needs.

The tables are written out by hand, one line per form, so a Kyrgyz reader can check them
without reading the code; the forms were checked against Kyrgyz grammar (vowel harmony,
consonant assimilation, the possessive's н) and against dates as official texts print
them ("2024-жылдын 14-июнундагы № 155 Жарлыгы", "2021-жылдын 20-ноябрынан тартып").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from reports.amounts import som_in_words
from reports.inflect import (
    end_sentence,
    ky_amount,
    ky_date,
    ky_number,
    ky_possessive,
    ky_suffix,
    ky_year,
    ru_amount,
    ru_date,
    ru_genitive_name,
)

NNBSP = "\u202f"

# Month -> nominative (heading), genitive, dative, accusative, locative, ablative,
# attributive, of the day-month part: "18-ноябры", "18-ноябрынын", ...
MONTHS = {
    1: ("январы", "январынын", "январына", "январын", "январында", "январынан", "январындагы"),
    2: (
        "февралы",
        "февралынын",
        "февралына",
        "февралын",
        "февралында",
        "февралынан",
        "февралындагы",
    ),
    3: ("марты", "мартынын", "мартына", "мартын", "мартында", "мартынан", "мартындагы"),
    4: ("апрели", "апрелинин", "апрелине", "апрелин", "апрелинде", "апрелинен", "апрелиндеги"),
    5: ("майы", "майынын", "майына", "майын", "майында", "майынан", "майындагы"),
    6: ("июну", "июнунун", "июнуна", "июнун", "июнунда", "июнунан", "июнундагы"),
    7: ("июлу", "июлунун", "июлуна", "июлун", "июлунда", "июлунан", "июлундагы"),
    8: (
        "августу",
        "августунун",
        "августуна",
        "августун",
        "августунда",
        "августунан",
        "августундагы",
    ),
    9: (
        "сентябры",
        "сентябрынын",
        "сентябрына",
        "сентябрын",
        "сентябрында",
        "сентябрынан",
        "сентябрындагы",
    ),
    10: (
        "октябры",
        "октябрынын",
        "октябрына",
        "октябрын",
        "октябрында",
        "октябрынан",
        "октябрындагы",
    ),
    11: ("ноябры", "ноябрынын", "ноябрына", "ноябрын", "ноябрында", "ноябрынан", "ноябрындагы"),
    12: (
        "декабры",
        "декабрынын",
        "декабрына",
        "декабрын",
        "декабрында",
        "декабрынан",
        "декабрындагы",
    ),
}
DATE_CASES = ("nom", "gen", "dat", "acc", "loc", "abl", "attr")


@pytest.mark.parametrize(
    ("month", "case", "expected"),
    [
        (month, case, form)
        for month, forms in MONTHS.items()
        for case, form in zip(DATE_CASES, forms, strict=True)
    ],
)
def test_every_month_in_every_case(month, case, expected):
    assert ky_date(date(2025, month, 18), case) == f"2025-жылдын 18-{expected}"


def test_the_reviewers_sentences():
    d = date(2025, 11, 18)
    assert f"Билдирмелер {ky_date(d, 'dat')} чейин" == ("Билдирмелер 2025-жылдын 18-ноябрына чейин")
    assert f"{ky_date(d, 'loc')} өткөн отурум" == "2025-жылдын 18-ноябрында өткөн отурум"
    assert f"{ky_date(d, 'attr')} № 5 чечими" == "2025-жылдын 18-ноябрындагы № 5 чечими"
    assert ky_date(date(2025, 11, 30), "loc", with_year=False) == "30-ноябрында"


def test_heading_form_is_the_nominative():
    assert ky_date(date(2025, 11, 18)) == "2025-жылдын 18-ноябры"
    assert ky_date(date(2026, 1, 1)) == "2026-жылдын 1-январы"


def test_a_range_within_one_year():
    start, end = date(2026, 1, 1), date(2026, 2, 28)
    text = f"{ky_date(start, 'abl')} {ky_date(end, 'dat', with_year=False)} чейин"
    assert text == "2026-жылдын 1-январынан 28-февралына чейин"


def test_a_moment_is_dated_in_bishkek():
    # 19:30 UTC on the 17th is 01:30 on the 18th in Bishkek (UTC+6).
    late = datetime(2025, 11, 17, 19, 30, tzinfo=UTC)
    assert ky_date(late, "loc") == "2025-жылдын 18-ноябрында"
    assert ru_date(late) == "18 ноября 2025 г."
    assert ky_date("2025-11-17T19:30:00+00:00") == "2025-жылдын 18-ноябры"
    assert ky_date("2025-11-18", "dat") == "2025-жылдын 18-ноябрына"
    naive = datetime(2025, 11, 17, 23, 0)
    assert ky_date(naive) == "2025-жылдын 17-ноябры"
    assert ky_date(datetime(2025, 11, 18, 0, 0, tzinfo=timezone(timedelta(hours=6)))) == (
        "2025-жылдын 18-ноябры"
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("nom", "2025-жыл"),
        ("gen", "2025-жылдын"),
        ("dat", "2025-жылга"),
        ("acc", "2025-жылды"),
        ("loc", "2025-жылы"),
        ("abl", "2025-жылдан"),
        ("attr", "2025-жылкы"),
    ],
)
def test_year_alone(case, expected):
    assert ky_year(2025, case) == expected


def test_year_sentences():
    assert f"{ky_year(2025, 'dat')} чейин" == "2025-жылга чейин"
    assert f"{ky_year(2016, 'abl')} {ky_year(2021, 'dat')} чейин" == (
        "2016-жылдан 2021-жылга чейин"
    )


# Word -> genitive, dative, accusative, locative, ablative, attributive: the words the
# documents put in case positions, chosen to cover every vowel class and final sound.
WORDS = {
    # back rounded о, after a sonorant
    "сом": ("сомдун", "сомго", "сомду", "сомдо", "сомдон", "сомдогу"),
    "протокол": (
        "протоколдун",
        "протоколго",
        "протоколду",
        "протоколдо",
        "протоколдон",
        "протоколдогу",
    ),
    # front unrounded, after a vowel
    "билдирме": (
        "билдирменин",
        "билдирмеге",
        "билдирмени",
        "билдирмеде",
        "билдирмеден",
        "билдирмедеги",
    ),
    "тескеме": ("тескеменин", "тескемеге", "тескемени", "тескемеде", "тескемеден", "тескемедеги"),
    # back unrounded, after voiceless к
    "сынак": ("сынактын", "сынакка", "сынакты", "сынакта", "сынактан", "сынактагы"),
    # я is back: комиссия takes the back endings
    "комиссия": (
        "комиссиянын",
        "комиссияга",
        "комиссияны",
        "комиссияда",
        "комиссиядан",
        "комиссиядагы",
    ),
    # у rounds the high vowel but not the low one: буйрукту, but буйрукка, буйрукта
    "буйрук": ("буйруктун", "буйрукка", "буйрукту", "буйрукта", "буйруктан", "буйруктагы"),
    # front unrounded, after a sonorant
    "чечим": ("чечимдин", "чечимге", "чечимди", "чечимде", "чечимден", "чечимдеги"),
    "жыл": ("жылдын", "жылга", "жылды", "жылда", "жылдан", "жылдагы"),
    "тыйын": ("тыйындын", "тыйынга", "тыйынды", "тыйында", "тыйындан", "тыйындагы"),
    "башчы": ("башчынын", "башчыга", "башчыны", "башчыда", "башчыдан", "башчыдагы"),
    # front, after voiceless ш
    "кеңеш": ("кеңештин", "кеңешке", "кеңешти", "кеңеште", "кеңештен", "кеңештеги"),
    # front rounded ө/ү
    "мүчө": ("мүчөнүн", "мүчөгө", "мүчөнү", "мүчөдө", "мүчөдөн", "мүчөдөгү"),
    "үй": ("үйдүн", "үйгө", "үйдү", "үйдө", "үйдөн", "үйдөгү"),
    # a Russian loan with е said as ё
    "отчет": ("отчеттун", "отчетко", "отчетту", "отчетто", "отчеттон", "отчеттогу"),
    # the soft sign falls before the ending
    "ноябрь": ("ноябрдын", "ноябрга", "ноябрды", "ноябрда", "ноябрдан", "ноябрдагы"),
    "апрель": ("апрелдин", "апрелге", "апрелди", "апрелде", "апрелден", "апрелдеги"),
    # surnames of Russian form take Kyrgyz endings by their last vowel; в is voiced
    "Ташиев": ("Ташиевдин", "Ташиевге", "Ташиевди", "Ташиевде", "Ташиевден", "Ташиевдеги"),
    "Жапаров": ("Жапаровдун", "Жапаровго", "Жапаровду", "Жапаровдо", "Жапаровдон", "Жапаровдогу"),
    "Абдыкадырова": (
        "Абдыкадырованын",
        "Абдыкадыровага",
        "Абдыкадырованы",
        "Абдыкадыровада",
        "Абдыкадыровадан",
        "Абдыкадыровадагы",
    ),
    "Токтогулова": (
        "Токтогулованын",
        "Токтогуловага",
        "Токтогулованы",
        "Токтогуловада",
        "Токтогуловадан",
        "Токтогуловадагы",
    ),
    # already possessive: the endings take н
    "айыл өкмөтү": (
        "айыл өкмөтүнүн",
        "айыл өкмөтүнө",
        "айыл өкмөтүн",
        "айыл өкмөтүндө",
        "айыл өкмөтүнөн",
        "айыл өкмөтүндөгү",
    ),
    "Асанбек уулу": (
        "Асанбек уулунун",
        "Асанбек уулуна",
        "Асанбек уулун",
        "Асанбек уулунда",
        "Асанбек уулунан",
        "Асанбек уулундагы",
    ),
    "Асанбек кызы": (
        "Асанбек кызынын",
        "Асанбек кызына",
        "Асанбек кызын",
        "Асанбек кызында",
        "Асанбек кызынан",
        "Асанбек кызындагы",
    ),
}
WORD_CASES = ("gen", "dat", "acc", "loc", "abl", "attr")


@pytest.mark.parametrize(
    ("word", "case", "expected"),
    [
        (word, case, form)
        for word, forms in WORDS.items()
        for case, form in zip(WORD_CASES, forms, strict=True)
    ],
)
def test_case_endings_on_document_words(word, case, expected):
    assert ky_suffix(word, case) == expected


def test_nominative_leaves_the_word():
    assert ky_suffix("сом", "nom") == "сом"
    assert ky_suffix("айыл өкмөтү", "nom") == "айыл өкмөтү"


def test_the_party_clause():
    clause = (
        f"Орозбеков айыл аймагынын айыл өкмөтү (мындан ары – Айыл өкмөтү), "
        f"анын башчысы {ky_suffix('Н. Ташиев', 'gen')} атынан"
    )
    assert clause.endswith("анын башчысы Н. Ташиевдин атынан")
    assert ky_suffix("Ж. Абдыкадырова", "gen") == "Ж. Абдыкадырованын"
    assert ky_suffix("Н. Ташиев", "dat") == "Н. Ташиевге"


@pytest.mark.parametrize(
    ("word", "possessive", "after"),
    [
        ("башчы", "башчысы", ("башчысынын", "башчысына", "башчысын", "башчысында")),
        (
            "комиссия",
            "комиссиясы",
            ("комиссиясынын", "комиссиясына", "комиссиясын", "комиссиясында"),
        ),
        (
            "билдирме",
            "билдирмеси",
            ("билдирмесинин", "билдирмесине", "билдирмесин", "билдирмесинде"),
        ),
        ("отурум", "отуруму", ("отурумунун", "отурумуна", "отурумун", "отурумунда")),
        ("протокол", "протоколу", ("протоколунун", "протоколуна", "протоколун", "протоколунда")),
        ("сынак", "сынагы", ("сынагынын", "сынагына", "сынагын", "сынагында")),
        ("буйрук", "буйругу", ("буйругунун", "буйругуна", "буйругун", "буйругунда")),
        ("чечим", "чечими", ("чечиминин", "чечимине", "чечимин", "чечиминде")),
        ("өкмөт", "өкмөтү", ("өкмөтүнүн", "өкмөтүнө", "өкмөтүн", "өкмөтүндө")),
        ("парк", "паркы", ("паркынын", "паркына", "паркын", "паркында")),
    ],
)
def test_possessive_then_case(word, possessive, after):
    assert ky_possessive(word) == possessive
    forms = tuple(ky_suffix(possessive, c, possessive=True) for c in ("gen", "dat", "acc", "loc"))
    assert forms == after


def test_a_possessive_must_be_said():
    # Spelling cannot tell "башчысы" (his head) from a plain word ending in ы.
    assert ky_suffix("башчысы", "dat", possessive=True) == "башчысына"
    assert ky_suffix("башчы", "dat") == "башчыга"
    with pytest.raises(ValueError):
        ky_suffix("сом", "dat", possessive=True)


def test_the_meeting_protocol_phrase():
    meeting = ky_suffix(ky_possessive("отурум"), "gen", possessive=True)
    text = f"сынак комиссиясынын {meeting} протоколу {ky_date(date(2025, 11, 18), 'attr')}"
    assert text == "сынак комиссиясынын отурумунун протоколу 2025-жылдын 18-ноябрындагы"


@pytest.mark.parametrize(
    ("n", "dative", "ablative", "genitive"),
    [
        (0, "0-гө", "0-дөн", "0-дүн"),  # нөл
        (1, "1-ге", "1-ден", "1-дин"),  # бир
        (2, "2-ге", "2-ден", "2-нин"),  # эки
        (3, "3-кө", "3-төн", "3-түн"),  # үч
        (4, "4-кө", "4-төн", "4-түн"),  # төрт
        (5, "5-ке", "5-тен", "5-тин"),  # беш
        (6, "6-га", "6-дан", "6-нын"),  # алты
        (7, "7-ге", "7-ден", "7-нин"),  # жети
        (8, "8-ге", "8-ден", "8-дин"),  # сегиз
        (9, "9-га", "9-дан", "9-дун"),  # тогуз
        (10, "10-го", "10-дон", "10-дун"),  # он
        (20, "20-га", "20-дан", "20-нын"),  # жыйырма
        (30, "30-га", "30-дан", "30-дун"),  # отуз
        (40, "40-ка", "40-тан", "40-тын"),  # кырк
        (50, "50-гө", "50-дөн", "50-нүн"),  # элүү
        (60, "60-ка", "60-тан", "60-тын"),  # алтымыш
        (70, "70-ке", "70-тен", "70-тин"),  # жетимиш
        (80, "80-ге", "80-ден", "80-дин"),  # сексен
        (90, "90-го", "90-дон", "90-дун"),  # токсон
        (100, "100-гө", "100-дөн", "100-дүн"),  # жүз
        (1000, "1000-ге", "1000-ден", "1000-дин"),  # миң
        (2_000_000, "2000000-го", "2000000-дон", "2000000-дун"),  # миллион
    ],
)
def test_numbers_in_figures(n, dative, ablative, genitive):
    assert (ky_number(n, "dat"), ky_number(n, "abl"), ky_number(n, "gen")) == (
        dative,
        ablative,
        genitive,
    )


def test_the_score_range_sentence():
    # The reviewer's "0дөн 90го" -> "0-дөн 90-го".
    assert f"{ky_number(0, 'abl')} {ky_number(90, 'dat')} чейин" == "0-дөн 90-го чейин"
    assert ky_suffix(f"25{NNBSP}000", "dat") == f"25{NNBSP}000-ге"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("nom", "25 000 сом"),
        ("gen", "25 000 сомдун"),
        ("dat", "25 000 сомго"),
        ("acc", "25 000 сомду"),
        ("loc", "25 000 сомдо"),
        ("abl", "25 000 сомдон"),
        ("adj", "25 000 сомдук"),
    ],
)
def test_amount_in_figures(case, expected):
    assert ky_amount(25000, case) == expected.replace(" ", NNBSP, 1)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("nom", "жыйырма беш миң сом"),
        ("gen", "жыйырма беш миң сомдун"),
        ("dat", "жыйырма беш миң сомго"),
        ("acc", "жыйырма беш миң сомду"),
        ("loc", "жыйырма беш миң сомдо"),
        ("abl", "жыйырма беш миң сомдон"),
    ],
)
def test_amount_in_words(case, expected):
    assert ky_amount(Decimal("25000"), case, words=True) == expected


def test_amount_sentences():
    assert f"{ky_amount(25000, 'dat')} чейин" == f"25{NNBSP}000 сомго чейин"
    assert f"кеминде {ky_amount(500, 'abl')}" == "кеминде 500 сомдон"
    assert f"{ky_amount(25000, 'dat', words=True)} чейин" == "жыйырма беш миң сомго чейин"


def test_tyiyn_take_the_ending():
    assert ky_amount("12500.05", "dat") == f"12{NNBSP}500 сом 05 тыйынга"
    assert ky_amount("12500.05", "abl", words=True) == "он эки миң беш жүз сом 05 тыйындан"
    assert ky_amount(25000, "gen", always_tyiyn=True) == f"25{NNBSP}000 сом 00 тыйындын"
    assert ky_amount(25000, "dat", words=True, always_tyiyn=True) == (
        "жыйырма беш миң сом 00 тыйынга"
    )


@pytest.mark.parametrize("amount", ["0.01", "1", "12500.05", "25000", "1000000", "999999.99"])
def test_full_words_are_the_agreement_words_with_an_ending(amount):
    # The nominative is exactly what reports.amounts prints; the ending goes on тыйын.
    words = som_in_words(amount, "ky")
    assert ky_amount(amount, "nom", words=True, always_tyiyn=True) == words
    assert ky_amount(amount, "dat", words=True, always_tyiyn=True) == f"{words}га"


def test_amounts_round_as_the_words_do():
    assert ky_amount("0.005", "dat") == "0 сом 01 тыйынга"
    with pytest.raises(TypeError):
        ky_amount(0.1, "dat")
    with pytest.raises(ValueError):
        ky_amount(-1, "dat")


@pytest.mark.parametrize("n", [1, 2, 5, 21, 25000, 1_000_000])
def test_russian_amount_in_figures_is_invariable(n):
    # Unlike the words ("сома", "сомов"), "сом" after figures never changes.
    figures = f"{n:,}".replace(",", NNBSP)
    assert f"до {ru_amount(n)}" == f"до {figures} сом"
    assert ru_amount(Decimal(n) + Decimal("0.5")) == f"{figures} сом 50 тыйын"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 1, 1), "1 января 2025 г."),
        (date(2025, 2, 28), "28 февраля 2025 г."),
        (date(2025, 3, 8), "8 марта 2025 г."),
        (date(2025, 4, 30), "30 апреля 2025 г."),
        (date(2025, 5, 9), "9 мая 2025 г."),
        (date(2025, 6, 15), "15 июня 2025 г."),
        (date(2025, 7, 24), "24 июля 2025 г."),
        (date(2025, 8, 31), "31 августа 2025 г."),
        (date(2025, 9, 1), "1 сентября 2025 г."),
        (date(2025, 10, 17), "17 октября 2025 г."),
        (date(2025, 11, 18), "18 ноября 2025 г."),
        (date(2025, 12, 31), "31 декабря 2025 г."),
    ],
)
def test_russian_dates(d, expected):
    assert ru_date(d) == expected


def test_russian_date_ends_a_sentence_with_one_period():
    d = date(2025, 11, 18)
    assert end_sentence(f"Заявки принимаются до {ru_date(d)}") == (
        "Заявки принимаются до 18 ноября 2025 г."
    )
    assert end_sentence(f"Протокол от {ru_date(d, abbreviated=False)}") == (
        "Протокол от 18 ноября 2025 года."
    )
    assert end_sentence("Готово!") == "Готово!"
    assert end_sentence("Регистрация ") == "Регистрация."


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("Ташиев", "Нурбек"), {}, "Ташиева Нурбека"),
        (("Ташиев", "Нурбек", "Асанович"), {}, "Ташиева Нурбека Асановича"),
        (("Жапаров", "Садыр"), {}, "Жапарова Садыра"),
        (("Орозбеков", "Азамат"), {}, "Орозбекова Азамата"),
        (("Сапарбаев", "Сейитбай"), {}, "Сапарбаева Сейитбая"),
        (("Бакиев", "Муса"), {}, "Бакиева Мусы"),
        (("Абдыкадырова", "Жамиля"), {}, "Абдыкадыровой Жамили"),
        (("Токтогулова", "Гульнара", "Маратовна"), {}, "Токтогуловой Гульнары Маратовны"),
        (("Сатыбалдиева", "Айгерим"), {}, "Сатыбалдиевой Айгерим"),
        (("Исакова", "Асель"), {}, "Исаковой Асели"),
        (("Алиева", "Алия"), {}, "Алиевой Алии"),
        (("Мамытова", "Зулайка"), {}, "Мамытовой Зулайки"),
        (("Осмонова", "Айпери"), {}, "Осмоновой Айпери"),
        (("Кулов", "Феликс", "Шаршенбаевич"), {}, "Кулова Феликса Шаршенбаевича"),
        (("Бекин", "Улан"), {}, "Бекина Улана"),
        (("Бекина", "Нургул"), {}, "Бекиной Нургул"),
        (("Ковальский", "Игорь"), {}, "Ковальского Игоря"),
        (("Ковальская", "Анна"), {}, "Ковальской Анны"),
        (("Асанбек уулу", "Нурлан"), {}, "Асанбек уулу Нурлана"),
        (("Асанбек кызы", "Жылдыз"), {}, "Асанбек кызы Жылдыз"),
        (("Ким", "Бакыт"), {}, "Ким Бакыт"),  # gender unknown: left as written
        (("Ким", "Бакыт"), {"gender": "m"}, "Ким Бакыта"),
        (("Ким", "Бакыт"), {"gender": "f"}, "Ким Бакыт"),
        (("Черных", "Анна"), {}, "Черных Анны"),
        (("Шевченко", "Тарас"), {"gender": "m"}, "Шевченко Тараса"),
        (("Ташиев",), {}, "Ташиева"),
        (("Ташиев", "Н."), {}, "Ташиева Н."),
        (
            ("Ташиев", "Нурбек"),
            {"genitive": "Ташиева Нурбека Асановича"},
            "Ташиева Нурбека Асановича",
        ),
        (("Тойчубек", "Бакыт"), {"genitive": "  "}, "Тойчубек Бакыт"),
    ],
)
def test_russian_genitive_names(args, kwargs, expected):
    assert ru_genitive_name(*args, **kwargs) == expected


def test_the_russian_party_clause():
    head = ru_genitive_name("Ташиев", "Нурбек")
    assert f"в лице главы айыл окмоту {head}" == "в лице главы айыл окмоту Ташиева Нурбека"


def test_an_explicit_genitive_wins_over_the_rules():
    # A surname the rules would decline wrongly; the person's record says how.
    assert ru_genitive_name("Дурново", "Пётр", genitive="Дурново Петра") == "Дурново Петра"


@pytest.mark.parametrize(
    "call",
    [
        lambda: ky_suffix("сом", "instrumental"),
        lambda: ky_suffix("", "dat"),
        lambda: ky_suffix("   ", "dat"),
        lambda: ky_suffix("КР", "dat"),  # no vowel to harmonise with
        lambda: ky_date(date(2025, 1, 1), "adj"),
        lambda: ky_date(None, "dat"),
        lambda: ky_year(0, "gen"),
        lambda: ky_year(True, "gen"),
        lambda: ky_year(2025, "adj"),
        lambda: ky_number(-1, "dat"),
        lambda: ru_genitive_name("Ташиев", "Нурбек", gender="male"),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises((ValueError, TypeError)):
        call()
