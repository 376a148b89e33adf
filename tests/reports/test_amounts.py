"""Amounts in words as agreements print them: exact Kyrgyz and Russian texts for known
numbers, and, over a broad sample, Kyrgyz words that read back to the number they came from."""

from __future__ import annotations

import ast
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

import reports.amounts
from reports.amounts import amount_with_words, kyrgyz_number, russian_number, som_in_words

NNBSP = "\u202f"

KYRGYZ = [
    (0, "нөл"),
    (1, "бир"),
    (2, "эки"),
    (3, "үч"),
    (4, "төрт"),
    (5, "беш"),
    (6, "алты"),
    (7, "жети"),
    (8, "сегиз"),
    (9, "тогуз"),
    (10, "он"),
    (11, "он бир"),
    (15, "он беш"),
    (19, "он тогуз"),
    (20, "жыйырма"),
    (23, "жыйырма үч"),
    (30, "отуз"),
    (40, "кырк"),
    (47, "кырк жети"),
    (50, "элүү"),
    (60, "алтымыш"),
    (70, "жетимиш"),
    (80, "сексен"),
    (90, "токсон"),
    (99, "токсон тогуз"),
    (100, "бир жүз"),
    (101, "бир жүз бир"),
    (110, "бир жүз он"),
    (111, "бир жүз он бир"),
    (123, "бир жүз жыйырма үч"),
    (200, "эки жүз"),
    (305, "үч жүз беш"),
    (999, "тогуз жүз токсон тогуз"),
    (1000, "бир миң"),
    (1001, "бир миң бир"),
    (1100, "бир миң бир жүз"),
    (2021, "эки миң жыйырма бир"),
    (10000, "он миң"),
    (11000, "он бир миң"),
    (12500, "он эки миң беш жүз"),
    (23000, "жыйырма үч миң"),
    (36000, "отуз алты миң"),
    (37000, "отуз жети миң"),
    (100000, "бир жүз миң"),
    (100001, "бир жүз миң бир"),
    (250750, "эки жүз элүү миң жети жүз элүү"),
    (999999, "тогуз жүз токсон тогуз миң тогуз жүз токсон тогуз"),
    (1000000, "бир миллион"),
    (1000001, "бир миллион бир"),
    (1001000, "бир миллион бир миң"),
    (1500000, "бир миллион беш жүз миң"),
    (2000000, "эки миллион"),
    (10000000, "он миллион"),
    (45600000, "кырк беш миллион алты жүз миң"),
    (100000000, "бир жүз миллион"),
    (
        123456789,
        "бир жүз жыйырма үч миллион төрт жүз элүү алты миң жети жүз сексен тогуз",
    ),
    (
        999999999,
        "тогуз жүз токсон тогуз миллион тогуз жүз токсон тогуз миң тогуз жүз токсон тогуз",
    ),
    (1000000000, "бир миллиард"),
    (2000000001, "эки миллиард бир"),
    (
        999_999_999_999,
        "тогуз жүз токсон тогуз миллиард тогуз жүз токсон тогуз миллион "
        "тогуз жүз токсон тогуз миң тогуз жүз токсон тогуз",
    ),
]


@pytest.mark.parametrize(("n", "words"), KYRGYZ)
def test_kyrgyz_number(n, words):
    assert kyrgyz_number(n) == words


def test_kyrgyz_table_is_broad():
    numbers = [n for n, _ in KYRGYZ]
    assert len(numbers) >= 40
    assert len(set(numbers)) == len(numbers)


# --- round trip -------------------------------------------------------------------------

UNITS = {"бир": 1, "эки": 2, "үч": 3, "төрт": 4, "беш": 5, "алты": 6, "жети": 7}
UNITS |= {"сегиз": 8, "тогуз": 9}
TENS = {"он": 10, "жыйырма": 20, "отуз": 30, "кырк": 40, "элүү": 50, "алтымыш": 60}
TENS |= {"жетимиш": 70, "сексен": 80, "токсон": 90}
SCALES = {"миллиард": 10**9, "миллион": 10**6, "миң": 10**3}


def parse_kyrgyz(text: str) -> int:
    """Strict reader: groups of [unit жүз] [ten] [unit], each followed by a scale word in
    decreasing order (the last group without one); anything else is refused."""
    if text == "нөл":
        return 0
    tokens = text.split(" ")
    pos = 0
    total = 0
    last_scale = 10**12

    def take(table):
        nonlocal pos
        if pos < len(tokens) and tokens[pos] in table:
            pos += 1
            return table[tokens[pos - 1]]
        return 0

    while pos < len(tokens):
        group = 0
        if pos + 1 < len(tokens) and tokens[pos + 1] == "жүз":
            hundreds = take(UNITS)
            assert hundreds, f"no multiplier before жүз in {text!r}"
            pos += 1
            group += hundreds * 100
        group += take(TENS)
        group += take(UNITS)
        assert group, f"unexpected word {tokens[pos]!r} in {text!r}"
        scale = take(SCALES) or 1
        assert scale < last_scale, f"scales out of order in {text!r}"
        last_scale = scale
        total += group * scale
    return total


def sample(size: int = 20_000, seed: int = 20_240_601) -> list[int]:
    """Spread over every magnitude: a uniform draw would be almost all nine-digit numbers."""
    rng = random.Random(seed)
    numbers = {n for n, _ in KYRGYZ}
    while len(numbers) < size:
        digits = rng.randint(1, 12)
        numbers.add(rng.randint(0, 10**digits - 1))
        # Round numbers exercise the empty groups ("бир миллион бир").
        numbers.add(rng.randint(1, 999) * 10 ** rng.choice((0, 3, 6, 9)))
    return sorted(numbers)


SAMPLE = sample()
LETTER = "[абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя]"
KYRGYZ_WORDS = re.compile(f"{LETTER}+( {LETTER}+)*")


def test_sample_is_spread_over_the_range():
    assert len(SAMPLE) >= 20_000
    for digits in range(1, 13):
        assert any(len(str(n)) == digits for n in SAMPLE)


def test_kyrgyz_round_trip():
    for n in SAMPLE:
        assert parse_kyrgyz(kyrgyz_number(n)) == n


def test_kyrgyz_words_are_distinct():
    seen: dict[str, int] = {}
    for n in SAMPLE:
        words = kyrgyz_number(n)
        assert words not in seen, f"{n} and {seen[words]} both read {words!r}"
        seen[words] = n
    assert len(seen) == len(SAMPLE)


def test_kyrgyz_words_are_clean():
    for n in SAMPLE:
        words = kyrgyz_number(n)
        assert words == words.strip()
        assert "  " not in words
        assert KYRGYZ_WORDS.fullmatch(words), words


def test_multiplier_one_is_always_spoken():
    for n in SAMPLE:
        tokens = kyrgyz_number(n).split()
        for i, token in enumerate(tokens):
            if token == "жүз":
                assert i > 0 and tokens[i - 1] in UNITS, n
            elif token in SCALES:
                assert i > 0 and tokens[i - 1] in {*UNITS, *TENS, "жүз"}, n


# --- Russian ----------------------------------------------------------------------------

RUSSIAN = [
    ("0", "ноль сомов 00 тыйын"),
    ("0.01", "ноль сомов 01 тыйын"),
    ("1", "один сом 00 тыйын"),
    ("2", "два сома 00 тыйын"),
    ("3.10", "три сома 10 тыйын"),
    ("4", "четыре сома 00 тыйын"),
    ("5", "пять сомов 00 тыйын"),
    ("11", "одиннадцать сомов 00 тыйын"),
    ("12", "двенадцать сомов 00 тыйын"),
    ("14", "четырнадцать сомов 00 тыйын"),
    ("20", "двадцать сомов 00 тыйын"),
    ("21.05", "двадцать один сом 05 тыйын"),
    ("22", "двадцать два сома 00 тыйын"),
    ("24.99", "двадцать четыре сома 99 тыйын"),
    ("25", "двадцать пять сомов 00 тыйын"),
    ("101", "сто один сом 00 тыйын"),
    ("111", "сто одиннадцать сомов 00 тыйын"),
    ("112", "сто двенадцать сомов 00 тыйын"),
    ("1000", "одна тысяча сомов 00 тыйын"),
    ("21000", "двадцать одна тысяча сомов 00 тыйын"),
    ("23000", "двадцать три тысячи сомов 00 тыйын"),
    ("1000000", "один миллион сомов 00 тыйын"),
]


@pytest.mark.parametrize(("amount", "words"), RUSSIAN)
def test_russian_som_in_words(amount, words):
    assert som_in_words(Decimal(amount), "ru") == words


def test_russian_number_is_num2words():
    assert russian_number(0) == "ноль"
    assert russian_number(23_000) == "двадцать три тысячи"
    assert russian_number(999_999_999_999).startswith("девятьсот девяносто девять миллиардов")


# --- amounts in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("23000"), "жыйырма үч миң сом 00 тыйын"),
        (Decimal("12000.50"), "он эки миң сом 50 тыйын"),
        (Decimal("0.07"), "нөл сом 07 тыйын"),
        (Decimal("100000"), "бир жүз миң сом 00 тыйын"),
        (1_000_000, "бир миллион сом 00 тыйын"),
        ("1500.5", "бир миң беш жүз сом 50 тыйын"),
    ],
)
def test_kyrgyz_som_in_words(amount, words):
    assert som_in_words(amount, "ky") == words


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "нөл сом 01 тыйын"),
        ("0.004", "нөл сом 00 тыйын"),
        ("1.995", "эки сом 00 тыйын"),
        ("999.999", "бир миң сом 00 тыйын"),
    ],
)
def test_tyiyn_are_rounded_half_up(amount, expected):
    assert som_in_words(Decimal(amount), "ky") == expected


def test_capitalised():
    assert som_in_words(Decimal("23000"), "ky", capitalised=True) == "Жыйырма үч миң сом 00 тыйын"
    assert som_in_words(Decimal("2"), "ru", capitalised=True) == "Два сома 00 тыйын"
    assert som_in_words(Decimal("2"), "ru") == "два сома 00 тыйын"


@pytest.mark.parametrize(
    ("amount", "lang", "expected"),
    [
        (Decimal("23000"), "ky", f"23{NNBSP}000,00 сом (жыйырма үч миң сом 00 тыйын)"),
        (Decimal("23000"), "ru", f"23{NNBSP}000,00 сом (двадцать три тысячи сомов 00 тыйын)"),
        (Decimal("12000.5"), "ky", f"12{NNBSP}000,50 сом (он эки миң сом 50 тыйын)"),
        (Decimal("999.99"), "ru", "999,99 сом (девятьсот девяносто девять сомов 99 тыйын)"),
        (
            Decimal("1234567.01"),
            "ky",
            f"1{NNBSP}234{NNBSP}567,01 сом (бир миллион эки жүз отуз төрт миң "
            "беш жүз алтымыш жети сом 01 тыйын)",
        ),
        (0, "ru", "0,00 сом (ноль сомов 00 тыйын)"),
    ],
)
def test_amount_with_words(amount, lang, expected):
    assert amount_with_words(amount, lang) == expected


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [-1, 10**12, 10**15])
@pytest.mark.parametrize("spell", [kyrgyz_number, russian_number])
def test_number_out_of_range(spell, n):
    with pytest.raises(ValueError):
        spell(n)


@pytest.mark.parametrize("spell", [kyrgyz_number, russian_number])
def test_number_must_be_an_int(spell):
    with pytest.raises(TypeError):
        spell(1.0)
    with pytest.raises(TypeError):
        spell(True)


@pytest.mark.parametrize("convert", [som_in_words, amount_with_words])
@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-1"),
        Decimal("-0.001"),
        -5,
        "-10.00",
        Decimal("1000000000000"),
        Decimal("999999999999.995"),
        Decimal("NaN"),
        Decimal("Infinity"),
        "twelve",
        "",
    ],
)
def test_bad_amount(convert, amount):
    with pytest.raises(ValueError):
        convert(amount, "ky")


@pytest.mark.parametrize("convert", [som_in_words, amount_with_words])
@pytest.mark.parametrize("lang", ["en", "kg", "KY", "", "kk"])
def test_unknown_language(convert, lang):
    with pytest.raises(ValueError):
        convert(Decimal("1"), lang)


@pytest.mark.parametrize("convert", [som_in_words, amount_with_words])
def test_float_is_refused(convert):
    # 0.1 as a float is not one tenth: an agreement must print what was entered.
    with pytest.raises(TypeError):
        convert(0.1, "ru")


def test_largest_amount():
    assert som_in_words(Decimal("999999999999.99"), "ky").endswith("тогуз сом 99 тыйын")


def test_module_stays_pure():
    """The renderer relies on it importing nothing from the application."""
    tree = ast.parse(Path(reports.amounts.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "decimal", "num2words"}
