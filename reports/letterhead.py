"""The letterhead of every document, as the offices' paperwork writes it.

A reader recognises an official paper by its first lines: the republic, the region and the
district, then the office itself, "Орозбеков айыл аймагынын айыл өкмөтү" or "Айыл окмоту
Орозбековского айылного аймака", and its address and phone. The municipality's record holds
the name of the aimak (the territory), not of its office, and the region and district in
their short Kyrgyz spelling ("Баткен", "Кадамжай"): this module builds the office's name
in each language from them. Russian spells the adjective one way, "айылный" (as in
"айылный кенеш"), whatever the record says.

Pure: no application, so a snapshot taken years ago renders the same heading.
"""

from __future__ import annotations

import re

import phonenumbers

from reports.inflect import ky_suffix

COUNTRY = {"ky": "Кыргыз Республикасы", "ru": "Кыргызская Республика"}
PHONE_LABEL = {"ky": "тел.", "ru": "тел."}

# The seven regions, by their Kyrgyz short name (as the records keep them) and the Russian
# one: the Russian heading needs the adjective ("Баткенская область").
_RU_REGIONS = {
    "баткен": "Баткенская",
    "жалал-абад": "Джалал-Абадская",
    "джалал-абад": "Джалал-Абадская",
    "ысык-көл": "Иссык-Кульская",
    "иссык-куль": "Иссык-Кульская",
    "нарын": "Нарынская",
    "ош": "Ошская",
    "талас": "Таласская",
    "чүй": "Чуйская",
    "чуй": "Чуйская",
}
# Districts whose Russian adjective no simple rule gives.
_RU_DISTRICTS = {
    "ак-талаа": "Ак-Талинский",
    "ат-башы": "Ат-Башинский",
    "ала-бука": "Ала-Букинский",
    "аксы": "Аксыйский",
    "тогуз-торо": "Тогуз-Тороуский",
    "токтогул": "Токтогульский",
    "чаткал": "Чаткальский",
    "жумгал": "Жумгальский",
    "кара-кулжа": "Кара-Кулжинский",
    "кара-суу": "Кара-Сууский",
    "өзгөн": "Узгенский",
    "чоң-алай": "Чон-Алайский",
    "бакай-ата": "Бакай-Атинский",
    "кара-буура": "Кара-Бууринский",
    "аламүдүн": "Аламудунский",
    "москва": "Московский",
    "ысык-ата": "Ыссык-Атинский",
    "ак-суу": "Ак-Суйский",
    "жети-өгүз": "Жети-Огузский",
    "ысык-көл": "Иссык-Кульский",
    "тоң": "Тонский",
    "түп": "Тюпский",
    "чүй": "Чуйский",
    "жайыл": "Жайылский",
}
_KY_AIMAK = re.compile(r"\s*айыл(дык)?\s+аймаг(ы|ынын)?\s*$", re.IGNORECASE)
_RU_AIMAK = re.compile(r"\s*айыл(ь)?н(ый|ого)\s+аймак(а)?\s*$", re.IGNORECASE)


def office_name(name: dict, code: str) -> str:
    """The office in the nominative: "Орозбеков айыл аймагынын айыл өкмөтү",
    "Айыл окмоту Орозбековского айылного аймака"."""
    if code == "ky":
        base = _KY_AIMAK.sub("", name.get("ky") or name.get("ru") or "").strip()
        return f"{ky_suffix(base + ' айыл аймагы', 'gen', possessive=True)} айыл өкмөтү"
    if code == "ru":
        text = (name.get("ru") or name.get("ky") or "").strip()
        base = _RU_AIMAK.sub("", text).strip()
        if base != text and base:
            adjectives = " ".join(_ru_adjective_gen(word) for word in base.split())
            return f"Айыл окмоту {adjectives} айылного аймака"
        return f"Айыл окмоту {text}"
    return f"Ayil okmotu of {name.get('en') or name.get('ru') or ''}".strip()


def _ru_adjective_gen(word: str) -> str:
    for ending, genitive in (
        ("ский", "ского"),
        ("цкий", "цкого"),
        ("ний", "него"),
        ("ый", "ого"),
        ("ий", "ого"),
        ("ой", "ого"),
    ):
        if word.endswith(ending):
            return word[: -len(ending)] + genitive
    return word


def _ru_adjective(word: str) -> str:
    """A district's name as a Russian adjective: Кадамжай -> Кадамжайский."""
    known = _RU_DISTRICTS.get(word.lower())
    if known:
        return known
    plain = word.replace("ү", "у").replace("ө", "о").replace("ң", "н")
    plain = plain.replace("Ү", "У").replace("Ө", "О")
    return plain + "ский"


def territory(region: str | None, district: str | None, code: str) -> str:
    """ "Баткен облусу, Кадамжай району" / "Баткенская область, Кадамжайский район"."""
    parts = []
    if code == "ru":
        if region:
            adjective = _RU_REGIONS.get(region.strip().lower())
            parts.append(f"{adjective} область" if adjective else f"Область {region}")
        if district:
            parts.append(f"{_ru_adjective(district.strip())} район")
    elif code == "ky":
        if region:
            parts.append(f"{region.strip()} облусу")
        if district:
            parts.append(f"{district.strip()} району")
    else:
        parts = [f"{region} region" if region else "", f"{district} district" if district else ""]
    return ", ".join(p for p in parts if p)


def phone(value: str | None) -> str:
    """The office's phone as people dial it from elsewhere: "+996 3655 5 12 34"."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "KG")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def lines(municipality: dict, code: str) -> dict:
    """The letterhead of one language, from the snapshot's municipality part; the phone is
    a key added later (documents registered before it have none)."""
    address = municipality.get("address") or ""
    if code != "ky":
        address = municipality.get("address_ru") or address
    contact = [address]
    if municipality.get("phone"):
        contact.append(f"{PHONE_LABEL.get(code, 'tel.')} {phone(municipality['phone'])}")
    return {
        "country": COUNTRY.get(code, "Kyrgyz Republic"),
        "territory": territory(municipality.get("region"), municipality.get("district"), code),
        "office": office_name(municipality.get("name") or {}, code),
        "contact": ", ".join(c for c in contact if c),
    }


SEAL = {"ky": "М.О.", "ru": "М.П.", "en": "L.S."}


def seal_mark(codes) -> str:
    """Where the seal goes, beside the head's signature: "М.О." (мөөрдүн орду), "М.П."
    (место печати); "М.О. / М.П." on a bilingual copy."""
    return " / ".join(dict.fromkeys(SEAL.get(code, "L.S.") for code in codes))
