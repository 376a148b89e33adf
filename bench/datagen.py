"""National-scale data: municipalities across Kyrgyzstan, each with a competition carried
through the real steps, and a way to grow a competition to any size by copying rows.

Two paths, for two purposes:

- ``build_municipality`` / ``build_large`` carry competitions along their timeline through
  the project's own steps (``initiatives.demo.builder`` and the operations it calls), so
  every row, document snapshot, audit event and notification is exactly what the app
  writes. This is what ``bench/generate.py`` runs, one municipality per task.
- ``multiply`` copies a competition's applications with SQLAlchemy Core (every row that
  hangs from an application: budget lines, activities, files, screening, declarations,
  score sheets and scores, award shares, motions and votes, agreements, payments, reports,
  documents, notifications). It is for tests that need 1,000 applications in seconds; the
  copies are exact clones of real ones (same scores, same amounts), renumbered, and the
  competition's money is multiplied so the awards stay within it. Audit events are not
  copied: no page counts on them per application.

Everything random comes from ``random.Random`` seeded by the caller, per municipality, so
a municipality's content does not depend on which worker built it or in which order.
"""

from __future__ import annotations

import math
import os
import random
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text, update

from initiatives.auth import operations as accounts
from initiatives.core.enums import Role, SeatCategory, SeatRole
from initiatives.demo.builder import (
    ORDER,
    STEPS,
    Cast,
    Proposal,
    Run,
    at,
    new_competition,
    screening_meeting,
)
from initiatives.extensions import db
from initiatives.lifecycle.operations import fire
from initiatives.municipalities.models import Municipality
from initiatives.scoring import operations as scoring

PASSWORD = "demo-password"  # the demo's: one password for every generated account
NATIONAL_LOGINS = {
    "oversight": "oversight@national.example",
    "admin": "admin@national.example",
}

# --- the country -----------------------------------------------------------------------

# (Kyrgyz, Russian, English) name of each region, how many ayil aimaks it gets in the
# national set (453 in all, close to the real distribution), and its districts.
REGIONS: list[tuple[tuple[str, str, str], int, list[tuple[str, str]]]] = [
    (
        ("Чүй", "Чуйская область", "Chui"),
        108,
        [
            ("Аламүдүн", "Alamudun"),
            ("Жайыл", "Jaiyl"),
            ("Кемин", "Kemin"),
            ("Москва", "Moskva"),
            ("Панфилов", "Panfilov"),
            ("Сокулук", "Sokuluk"),
            ("Чүй", "Chui"),
            ("Ысык-Ата", "Ysyk-Ata"),
        ],
    ),
    (
        ("Ош", "Ошская область", "Osh"),
        88,
        [
            ("Алай", "Alai"),
            ("Араван", "Aravan"),
            ("Кара-Кулжа", "Kara-Kulja"),
            ("Кара-Суу", "Kara-Suu"),
            ("Ноокат", "Nookat"),
            ("Өзгөн", "Uzgen"),
            ("Чоң-Алай", "Chong-Alai"),
        ],
    ),
    (
        ("Жалал-Абад", "Джалал-Абадская область", "Jalal-Abad"),
        68,
        [
            ("Аксы", "Aksy"),
            ("Ала-Бука", "Ala-Buka"),
            ("Базар-Коргон", "Bazar-Korgon"),
            ("Ноокен", "Nooken"),
            ("Сузак", "Suzak"),
            ("Тогуз-Торо", "Toguz-Toro"),
            ("Токтогул", "Toktogul"),
            ("Чаткал", "Chatkal"),
        ],
    ),
    (
        ("Нарын", "Нарынская область", "Naryn"),
        61,
        [
            ("Ак-Талаа", "Ak-Talaa"),
            ("Ат-Башы", "At-Bashy"),
            ("Жумгал", "Jumgal"),
            ("Кочкор", "Kochkor"),
            ("Нарын", "Naryn"),
        ],
    ),
    (
        ("Ысык-Көл", "Иссык-Кульская область", "Issyk-Kul"),
        58,
        [
            ("Ак-Суу", "Ak-Suu"),
            ("Жети-Өгүз", "Jeti-Oguz"),
            ("Ысык-Көл", "Issyk-Kul"),
            ("Тоң", "Ton"),
            ("Түп", "Tup"),
        ],
    ),
    (
        ("Талас", "Таласская область", "Talas"),
        36,
        [
            ("Бакай-Ата", "Bakai-Ata"),
            ("Кара-Буура", "Kara-Buura"),
            ("Манас", "Manas"),
            ("Талас", "Talas"),
        ],
    ),
    (
        ("Баткен", "Баткенская область", "Batken"),
        31,
        [("Баткен", "Batken"), ("Кадамжай", "Kadamjai"), ("Лейлек", "Leilek")],
    ),
    (("Бишкек шаары", "город Бишкек", "Bishkek city"), 1, [("Свердлов", "Sverdlov")]),
    (("Ош шаары", "город Ош", "Osh city"), 2, [("Ош", "Osh")]),
]

# Village and ayil aimak names (Kyrgyz, Latin): common Kyrgyz place-name roots.
PLACES: list[tuple[str, str]] = [
    ("Ак-Суу", "Ak-Suu"),
    ("Кара-Суу", "Kara-Suu"),
    ("Кызыл-Жар", "Kyzyl-Jar"),
    ("Жаңы-Жер", "Jany-Jer"),
    ("Сары-Булак", "Sary-Bulak"),
    ("Көк-Жар", "Kok-Jar"),
    ("Ак-Башат", "Ak-Bashat"),
    ("Чоң-Таш", "Chong-Tash"),
    ("Кара-Булак", "Kara-Bulak"),
    ("Бирлик", "Birlik"),
    ("Ынтымак", "Yntymak"),
    ("Достук", "Dostuk"),
    ("Жаңы-Айыл", "Jany-Aiyl"),
    ("Кең-Сай", "Ken-Sai"),
    ("Орто-Сай", "Orto-Sai"),
    ("Тоо-Моюн", "Too-Moyun"),
    ("Ала-Тоо", "Ala-Too"),
    ("Кара-Кол", "Kara-Kol"),
    ("Ак-Жол", "Ak-Jol"),
    ("Көк-Бел", "Kok-Bel"),
    ("Сары-Таш", "Sary-Tash"),
    ("Кызыл-Суу", "Kyzyl-Suu"),
    ("Талды-Булак", "Taldy-Bulak"),
    ("Кайыңды", "Kaiyndy"),
    ("Арал", "Aral"),
    ("Жылуу-Булак", "Jyluu-Bulak"),
    ("Чолпон", "Cholpon"),
    ("Бел-Алды", "Bel-Aldy"),
    ("Кара-Жыгач", "Kara-Jygach"),
    ("Терек-Сай", "Terek-Sai"),
    ("Алма-Булак", "Alma-Bulak"),
    ("Ак-Терек", "Ak-Terek"),
    ("Кош-Дөбө", "Kosh-Dobo"),
    ("Төрт-Көл", "Tort-Kol"),
    ("Миң-Булак", "Ming-Bulak"),
    ("Үч-Коргон", "Uch-Korgon"),
    ("Кара-Дөбө", "Kara-Dobo"),
    ("Ак-Муз", "Ak-Muz"),
    ("Көк-Сай", "Kok-Sai"),
    ("Жер-Казар", "Jer-Kazar"),
]

MEN = (
    "Азамат Бакыт Нурлан Эрмек Талант Улан Марат Канат Дастан Бекжан Темир Айбек Жоомарт "
    "Мирлан Нурбек Сыймык Тилек Чыңгыз Эмил Адилет"
)
WOMEN = (
    "Айгүл Жылдыз Чолпон Гүлнара Айжан Нургүл Бүбүсара Айпери Мээрим Динара Асел Каныкей "
    "Элмира Назира Бегимай Айзада Жибек Калыйча Салтанат Толгонай"
)
SURNAMES = (
    "Абдыкадыр Мамыт Жумабай Токтосун Исак Керимбай Осмон Мамбет Асан Үсөн Бейшен Кадыр "
    "Садык Турдубай Эсен Жээнбек Кубат Ташы Сатар Алымкул"
)


def person(rnd: random.Random) -> str:
    woman = rnd.random() < 0.5
    root = rnd.choice(SURNAMES.split())
    ending = ("ева" if woman else "ев") if root.endswith("й") else ("ова" if woman else "ов")
    surname = (root[:-1] if root.endswith("й") else root) + ending
    return f"{rnd.choice((WOMEN if woman else MEN).split())} {surname}"


@dataclass(frozen=True)
class Place:
    """One ayil aimak of the national set."""

    index: int
    slug: str
    name: tuple[str, str]  # Kyrgyz, Latin
    region: tuple[str, str, str]
    district: tuple[str, str]


def country(n: int = 453) -> list[Place]:
    """``n`` ayil aimaks; the first ones are spread over every region, so a small ``n``
    still covers the country."""
    slots = []
    for region, count, districts in REGIONS:
        for k in range(count):
            slots.append(((k + 0.5) / count, region, districts[k % len(districts)]))
    slots.sort(key=lambda s: s[0])
    places, used = [], set()
    for i, (_key, region, district) in enumerate(slots[:n]):
        ky, en = PLACES[(i * 7) % len(PLACES)]
        if (en, district[1]) in used:  # the same root twice in a district: number it
            ky, en = f"{ky}-{i // len(PLACES) + 1}", f"{en}-{i // len(PLACES) + 1}"
        used.add((en, district[1]))
        slug = f"{en}-{district[1]}-{i + 1:03d}".lower()
        places.append(Place(i, slug, (ky, en), region, district))
    return places


def municipality(place: Place, *, large: bool = False) -> Municipality:
    ky, en = place.name
    m = Municipality(
        slug=place.slug,
        name_ky=f"{ky} айыл аймагы",
        name_ru=f"Айылный аймак «{ky}»",
        name_en=f"{en} ayil aimak",
        region=place.region[0],
        district=place.district[0],
        address=f"{place.district[0]} району, {ky} айылы",
        regulation_number=str(100 + place.index % 200),
        regulation_date="2020-12-28",
        min_commission_size=5,
        default_max_grant=Decimal("50000") if large else Decimal("30000"),
        min_own_share=Decimal("10.00"),
    )
    db.session.add(m)
    db.session.flush()
    return m


# --- people ------------------------------------------------------------------------------


def new_user(login: str, name: str, password_hash: str | None, roles=(), locale="ky"):
    """An account made by the real operation; the password hash is then replaced by a
    shared one (hashing thousands of passwords with scrypt would take minutes, and a
    copied hash checks like any other)."""
    user = accounts.create_user(
        login=login, full_name=name, password=PASSWORD, locale=locale, roles=list(roles)
    )
    if password_hash:
        user.password_hash = password_hash
    return user


def people(
    m: Municipality,
    rnd: random.Random,
    *,
    members: int,
    applicants: int,
    password_hash: str | None,
) -> Cast:
    """The office (a specialist, who is also the commission's secretary, and the head),
    the other members of the commission (chair first) and the applicants; one in three
    applicants logs in by phone, as in villages."""
    domain = f"{m.slug}.aimak.example"
    locales = ["ky", "ky", "ru"]

    def user(login, roles=()):
        return new_user(login, person(rnd), password_hash, roles, rnd.choice(locales))

    specialist = user(f"specialist@{domain}", [(Role.SPECIALIST, m.id)])
    head = user(f"head@{domain}", [(Role.HEAD, m.id)])
    chair = user(f"chair@{domain}")
    others = [user(f"member{k}@{domain}") for k in range(1, members - 1)]
    crowd = []
    for k in range(1, applicants + 1):
        login = f"+99655{m.id % 1000:03d}{k:04d}" if k % 3 == 0 else f"applicant{k}@{domain}"
        crowd.append(user(login, [(Role.APPLICANT, m.id)]))
    return Cast(
        specialist=specialist, head=head, members=[chair, specialist, *others], applicants=crowd
    )


def seat_commission(c, cast: Cast, t0: datetime) -> None:
    """Chair, secretary and members for a commission of any (odd) size: deputies, the
    office and the community, as the regulation mixes them."""
    from initiatives.competitions import operations as competitions

    categories = [SeatCategory.DEPUTY, SeatCategory.AO_STAFF]
    categories += [
        SeatCategory.DEPUTY if k % 3 == 0 else SeatCategory.COMMUNITY
        for k in range(len(cast.members) - 2)
    ]
    roles = [SeatRole.CHAIR, SeatRole.SECRETARY] + [SeatRole.MEMBER] * (len(cast.members) - 2)
    for user, role, category in zip(cast.members, roles, categories, strict=True):
        competitions.add_seat(
            c, cast.specialist, user=user, seat_role=role, category=category, at=at(t0, -12)
        )
    competitions.record_commission_order(
        c, cast.head, number=f"{c.year}-17", on=at(t0, -11).date(), at=at(t0, -11)
    )


# --- initiatives -------------------------------------------------------------------------

# Per priority topic: titles (as people write them, in Kyrgyz or Russian) and two budget
# items (item, unit, unit price range in som) bought with the local grant.
TOPICS: dict[str, tuple[list[str], list[tuple[str, str, int, int]]]] = {
    "water": (
        ["Айылга таза суу жеткирүү", "Ремонт водопровода", "Суу сактагыч куруу"],
        [
            ("Полиэтилен түтүк 63 мм", "м", 180, 260),
            ("Крандар жана фитингдер", "комплект", 2500, 6000),
        ],
    ),
    "lighting": (
        ["Көчөлөрдү жарыктандыруу", "Уличное освещение"],
        [("LED светильник 100 Вт", "шт", 3500, 5200), ("Кабель СИП 2×16", "м", 60, 95)],
    ),
    "roads": (
        ["Көпүрөнү оңдоо", "Ремонт моста через арык", "Көчөгө шагыл төшөө"],
        [("Бетон М300", "м³", 5800, 7200), ("Шагыл", "м³", 700, 1100)],
    ),
    "landscaping": (
        ["Айылдык сквер", "Озеленение центральной площади", "Балдар аянтчасы"],
        [("Көчөттөр (терек, карагач)", "даана", 250, 450), ("Скамейкалар", "шт", 4500, 7000)],
    ),
    "culture": (
        ["Комуз үйрөнүү ийрими", "Айылдык китепкананы жабдуу", "Манас айтуучулар сынагы"],
        [("Комуз", "даана", 7000, 11000), ("Китептер", "даана", 350, 600)],
    ),
    "youth": (
        ["Жаштар борбору", "Летний лагерь для подростков", "Компьютер сабактары"],
        [("Ноутбук", "даана", 24000, 29000), ("Окуу куралдары", "комплект", 1500, 3000)],
    ),
    "sport": (
        ["Спорт аянтчасы", "Футбольное поле для школы", "Көк-бөрү мелдеши"],
        [("Футбол дарбазасы", "даана", 9000, 14000), ("Топтор жана тор", "комплект", 3000, 6000)],
    ),
    "preschool": (
        ["Балдар бакчасына оюнчуктар", "Группа кратковременного пребывания"],
        [
            ("Оюнчуктар жана китептер", "комплект", 3000, 6000),
            ("Балдар эмеректери", "комплект", 9000, 16000),
        ],
    ),
    "waste": (
        ["Таштанды контейнерлери", "Контейнерная площадка для мусора"],
        [("Контейнер 0,75 м³", "даана", 12000, 16000), ("Бетон аянтча", "м²", 900, 1400)],
    ),
    "social": (
        ["Жалгыз карыларга жардам", "Помощь семьям с детьми-инвалидами"],
        [("Азык-түлүк топтому", "даана", 1500, 2500), ("Отун жана көмүр", "тонна", 5500, 7500)],
    ),
    "family_violence": (
        ["Үй-бүлөлүк зомбулуксуз айыл", "Тренинги для молодых семей"],
        [("Тренингдер", "күн", 3000, 5000), ("Маалымат баракчалары", "даана", 15, 40)],
    ),
    "public_order": (
        ["Коомдук тартип: видеокамералар", "Народная дружина: форма и рации"],
        [("Видеокамера", "даана", 6000, 9000), ("Рация", "даана", 3500, 5500)],
    ),
    "cemeteries": (
        ["Көрүстөндү тосуу", "Ограждение кладбища"],
        [("Сетка-рабица", "м", 250, 380), ("Металл мамылар", "даана", 900, 1400)],
    ),
    "economy": (
        ["Айыл базарын жабдуу", "Швейный цех для женщин"],
        [("Тигүү машинасы", "даана", 14000, 22000), ("Соода орундары", "даана", 6000, 9000)],
    ),
    "environment": (
        ["Селге каршы дамба", "Укрепление берега реки"],
        [("Габион", "даана", 4500, 6500), ("Таш", "м³", 600, 900)],
    ),
}


def proposal(
    rnd: random.Random,
    *,
    topic: str,
    village: str,
    max_grant: Decimal,
    min_share: Decimal,
    donor_cap: Decimal | None,
) -> Proposal:
    """One initiative whose budget passes every check of the submission: the local request
    within the maximum grant, the rows adding up, the own share above the minimum."""
    titles, items = TOPICS[topic]
    limit = int(max_grant)
    target = rnd.randrange(limit * 35 // 100, limit + 1, 100)
    lines = []
    (item1, unit1, lo1, hi1), (item2, unit2, lo2, hi2) = items
    price1 = min(rnd.randrange(lo1, hi1 + 1, 10), target // 10 * 10)  # a cheaper model
    qty1 = max(1, min(target * 7 // 10, limit) // price1)
    lines.append(
        {
            "item": item1,
            "unit": unit1,
            "quantity": qty1,
            "unit_price": price1,
            "local_amount": qty1 * price1,
        }
    )
    local = qty1 * price1
    price2 = rnd.randrange(lo2, hi2 + 1, 10)
    qty2 = min(target - local, limit - local) // price2
    if qty2 >= 1:
        lines.append(
            {
                "item": item2,
                "unit": unit2,
                "quantity": qty2,
                "unit_price": price2,
                "local_amount": qty2 * price2,
            }
        )
        local += qty2 * price2
    partner = 0
    if donor_cap is not None and rnd.random() < 0.4:
        partner = rnd.randrange(5000, int(donor_cap) + 1, 500)
        lines.append(
            {
                "item": f"{item2} (донор)",
                "unit": unit2,
                "quantity": 1,
                "unit_price": partner,
                "partner_amount": partner,
            }
        )
    own_money = rnd.choice([0, 0, 2000, 3000, 5000])
    if own_money:
        lines.append(
            {
                "item": "Тургундардын акчалай салымы",
                "unit": "сом",
                "quantity": 1,
                "unit_price": own_money,
                "own_amount": own_money,
            }
        )
    # Labour brings the own share (labour + own money) to a few points above the minimum.
    share = float(min_share) + rnd.uniform(2, 20)
    needed = math.ceil(share / (100 - share) * (local + partner)) - own_money
    day = rnd.randrange(500, 801, 50)
    days = max(1, math.ceil(needed / day))
    lines.append(
        {
            "item": "Эмгек салым: тургундардын иши",
            "unit": "күн",
            "quantity": days,
            "unit_price": day,
            "labour_amount": days * day,
        }
    )
    participants = {
        "women": rnd.randrange(5, 120),
        "men": rnd.randrange(5, 120),
        "girls": rnd.randrange(0, 80),
        "boys": rnd.randrange(0, 80),
    }
    if rnd.random() < 0.3:
        participants["disabled"] = rnd.randrange(1, 15)
    return Proposal(
        f"{rnd.choice(titles)} — {village}",
        topic,
        village,
        Decimal(local),
        Decimal(partner),
        Decimal(days * day),
        participants,
        scores=rnd.randint(4, 9),  # the initiative's quality: members score around it
        applicant_kind=rnd.choice(["group", "group", "individual"]),
        lines=lines,
    )


@dataclass
class Terms:
    max_grant: Decimal
    min_share: Decimal
    priorities: list[str]
    donor_cap: Decimal | None


def thousands(amount: Decimal) -> Decimal:
    return (amount / 1000).quantize(Decimal(1)) * 1000


def competition_run(
    m: Municipality,
    cast: Cast,
    t0: datetime,
    rnd: random.Random,
    applications: int,
    *,
    title_suffix: str = "",
    max_grant: Decimal | None = None,
) -> Run:
    """A draft competition with its money and terms, and ``applications`` initiatives
    waiting to be submitted (applicants in turn; one brought on paper; perhaps one that
    screening will reject). The local budget covers roughly half of what is asked."""
    terms = Terms(
        max_grant=max_grant or rnd.choice([Decimal("20000"), Decimal("30000"), Decimal("40000")]),
        min_share=rnd.choice([Decimal("5.00"), Decimal("10.00")]),
        priorities=sorted(rnd.sample(sorted(TOPICS), rnd.randint(4, 8))),
        donor_cap=Decimal("25000") if rnd.random() < 0.3 else None,
    )
    villages = [m.name_ky.removesuffix(" айыл аймагы")] + [ky for ky, _en in rnd.sample(PLACES, 3)]
    proposals = [
        proposal(
            rnd,
            topic=rnd.choice(terms.priorities),
            village=rnd.choice(villages),
            max_grant=terms.max_grant,
            min_share=terms.min_share,
            donor_cap=terms.donor_cap,
        )
        for _ in range(applications)
    ]
    asked = sum((p.local for p in proposals), Decimal(0))
    local_budget = max(terms.max_grant, thousands(asked * Decimal(rnd.uniform(0.4, 0.6))))
    asked_partners = sum((p.donor for p in proposals), Decimal(0))
    donor_pool = (
        max(Decimal("25000"), thousands(asked_partners * Decimal("0.7")))
        if terms.donor_cap
        else None
    )
    title = {
        "ky": f"Жергиликтүү демилгелерди колдоо сынагы {t0.year}{title_suffix}",
        "ru": f"Конкурс поддержки местных инициатив {t0.year}{title_suffix}",
        "en": f"Local initiatives competition {t0.year}{title_suffix}",
    }
    c = new_competition(
        m,
        cast,
        t0,
        title=title,
        year=t0.year,
        local_budget=local_budget,
        donor_pool=donor_pool,
        max_grant=terms.max_grant,
        min_own_share=terms.min_share,
        priorities=terms.priorities,
        required_documents=["application_letter", "budget"],
    )
    if len(cast.members) != 5:
        seat_commission(c, cast, t0)
    owners = [cast.applicants[i % len(cast.applicants)] for i in range(applications)]
    return Run(
        c,
        cast,
        t0,
        list(zip(owners, proposals, strict=True)),
        paper=rnd.randrange(applications) if applications > 1 else None,
        rejected=rnd.randrange(applications) if applications > 2 and rnd.random() < 0.6 else None,
    )


# --- the commission at work --------------------------------------------------------------


def score(
    r: Run,
    rnd: random.Random,
    *,
    complete: int | None = None,
    partly: int = 0,
    conflicts: int = 1,
) -> None:
    """Open scoring; every member declares on the whole list at once (the declaration page
    submits it so), then scores each application alone, around the initiative's quality.

    ``complete``: how many members (in seat order) finish; the next ``partly`` members
    submit about 60 % of their sheets and leave a few drafts; the rest have not started.
    ``conflicts``: members who declare a conflict on one application (and are recused).
    When everyone finished, the secretary closes the scoring of every application.
    """
    fire(
        r.c,
        "finish_screening",
        r.secretary,
        now=at(r.t0, 25),
        meeting=screening_meeting(r.c, at(r.t0, 25)),
    )
    seats = list(r.c.seats)
    admitted = [(a, p) for a, p in r.admitted()]
    complete = len(seats) if complete is None else complete
    criteria = list(r.c.criteria)
    recused = set()
    for _ in range(conflicts if admitted else 0):
        recused.add((rnd.randrange(1, len(seats)), admitted[rnd.randrange(len(admitted))][0].id))
    for k, seat in enumerate(seats[: complete + partly]):
        answers = {
            a.id: (True, "Арыз берүүчү менин тууганым.") if (k, a.id) in recused else (False, None)
            for a, _p in admitted
        }
        scoring.declare_conflicts(seat, seat.user, answers, at=at(r.t0, 26))
        # From the last application to the first: after each submitted sheet the operation
        # asks whether the member is done, walking the applications in order until one is
        # missing, so this order keeps that walk short (1,000 applications: minutes saved).
        for i, (a, p) in enumerate(reversed(admitted)):
            if answers[a.id][0]:
                continue
            finished = k < complete or i < len(admitted) * 6 // 10
            if not finished and i > len(admitted) * 7 // 10:
                break
            values = {
                crit.id: (max(0, min(10, p.scores + rnd.randint(-2, 2))), "") for crit in criteria
            }
            sheet = scoring.save_sheet(seat, a, seat.user, values, at=at(r.t0, 27))
            if finished:
                scoring.submit_sheet(sheet, seat.user, at=at(r.t0, 28 + i / len(admitted)))
    if complete == len(seats):
        for a, _p in admitted:
            fire(a, "mark_scored", r.secretary, now=at(r.t0, 30))


def carry(r: Run, target: str, rnd: random.Random, *, after_step=None) -> Run:
    """``builder.advance`` with the commission's work done by ``score``: members who score
    differently and now and then declare a conflict, as a real commission does."""
    while ORDER.index(r.c.state) < ORDER.index(target):
        state = r.c.state
        if state == "screening":
            score(r, rnd)
        else:
            STEPS[state](r)
        if after_step is not None:
            after_step(state, r)
    return r


# --- the tasks generate.py runs ----------------------------------------------------------


def timeline(today: datetime, rnd: random.Random, days_ago: tuple[int, int]) -> datetime:
    """The announcement (T0) of a competition ``days_ago`` before ``today``, at 10:00 in
    Bishkek."""
    start = today - timedelta(days=rnd.randint(*days_ago))
    return datetime(start.year, start.month, start.day, 4, 0, tzinfo=UTC)


def build_municipality(
    place: Place,
    *,
    seed: int,
    today: datetime,
    applications: int = 30,
    members: int = 5,
    password_hash: str | None = None,
) -> dict:
    """One ayil aimak with its people and one competition carried to ``closed`` through the
    real steps; committed once, so a municipality is either complete or absent."""
    rnd = random.Random(f"{seed}:{place.slug}")
    m = municipality(place)
    cast = people(m, rnd, members=members, applicants=applications, password_hash=password_hash)
    # Announced 130 to 420 days ago: closing (T0 + 125 days) is already in the past.
    r = competition_run(m, cast, timeline(today, rnd, (130, 420)), rnd, applications)
    carry(r, "closed", rnd)
    db.session.commit()
    result = {"municipality_id": m.id, "slug": m.slug, "competition_id": r.c.id}
    db.session.remove()
    return result


LARGE = {
    # name (Kyrgyz, Latin), region, district, the state, days since the announcement
    "scoring": (("Кара-Суу", "Kara-Suu"), 1, 3, "scoring", 28),
    "results": (("Сокулук", "Sokuluk"), 0, 5, "results_approved", 35),
}


def build_large(
    which: str,
    *,
    seed: int,
    today: datetime,
    applications: int = 1000,
    members: int = 9,
    password_hash: str | None = None,
    log=print,
) -> dict:
    """The large competition, in a municipality of its own, committed after every step.

    ``scoring``: left in scoring with most sheets in (all but two members finished, one of
    them part way). ``results``: scored by everyone, winners proposed within the money,
    voted and approved (``results_approved``).
    """
    (ky, en), region, district, target, days_ago = LARGE[which]
    rnd = random.Random(f"{seed}:large:{which}")
    region_names, _count, districts = REGIONS[region]
    place = Place(
        900 + len(which), f"{en.lower()}-large-{which}", (ky, en), region_names, districts[district]
    )
    m = municipality(place, large=True)
    cast = people(m, rnd, members=members, applicants=applications, password_hash=password_hash)
    db.session.commit()
    t0 = timeline(today, rnd, (days_ago, days_ago))
    r = competition_run(
        m, cast, t0, rnd, applications, title_suffix=" (чоң)", max_grant=Decimal("50000")
    )
    db.session.commit()
    started = datetime.now(UTC)

    def committed(state, run):
        db.session.commit()
        seconds = (datetime.now(UTC) - started).total_seconds()
        log(f"  [large {which}] {state} -> {run.c.state} ({seconds:.0f} s)")

    if target == "scoring":
        carry(r, "screening", rnd, after_step=committed)
        score(r, rnd, complete=members - 2, partly=1, conflicts=5)
        committed("screening", r)
    else:
        carry(r, target, rnd, after_step=committed)
    first = r.admitted()[0][0]
    result = {
        "which": which,
        "state": r.c.state,
        "municipality_id": m.id,
        "slug": m.slug,
        "competition_id": r.c.id,
        "applications": len(r.apps),
        "members": len(cast.members),
        "first_admitted_application_id": first.id,
        "logins": {
            "specialist": cast.specialist.login,
            "head": cast.head.login,
            "chair": cast.members[0].login,
            "members": [u.login for u in cast.members],
            "applicant": cast.applicants[0].login,
        },
    }
    if target == "scoring":  # seats in order: all finished but the last two
        result["logins"]["member_part_way"] = cast.members[-2].login
        result["logins"]["member_not_started"] = cast.members[-1].login
    db.session.remove()
    return result


def national_users(password_hash: str | None) -> None:
    new_user(
        NATIONAL_LOGINS["oversight"],
        "Oversight reader",
        password_hash,
        [(Role.OVERSIGHT, None)],
        "ru",
    )
    new_user(NATIONAL_LOGINS["admin"], "Administrator", password_hash, [(Role.ADMIN, None)], "en")
    db.session.commit()


# --- copies ------------------------------------------------------------------------------


def _children(root: str) -> list:
    """The tables that hang from ``root`` through foreign keys, parents first."""
    inside = {root}
    result = []
    for table in db.metadata.sorted_tables:
        if table.name == root:
            continue
        if any(fk.column.table.name in inside for fk in table.foreign_keys):
            inside.add(table.name)
            result.append(table)
    return result


def multiply(competition_id: int, total: int) -> int:
    """Grow the competition to ``total`` applications by copying its own, round after
    round, with everything that hangs from them. Returns how many were added.

    Rows get explicit ids (then PostgreSQL's sequences are moved past them), new
    registration numbers, new register numbers and tokens for documents, and new stored
    names for files (the bytes are linked or copied, so downloads work). The competition's
    funding sources grow by the number of rounds, so the copied awards stay within the
    money. Runs in the session's transaction; the caller commits.
    """
    conn = db.session.connection()
    tables = db.metadata.tables
    app_t = tables["application"]
    sources = (
        conn.execute(
            select(app_t).where(app_t.c.competition_id == competition_id).order_by(app_t.c.id)
        )
        .mappings()
        .all()
    )
    if not sources or len(sources) >= total:
        return 0
    children = _children("application")
    # Every source row of every child table, found through its cloned parents.
    source_rows = {"application": list(sources)}
    source_ids = {"application": [s["id"] for s in sources]}
    for table in children:
        links = [fk for fk in table.foreign_keys if fk.column.table.name in source_ids]
        condition = None
        for fk in links:
            ids = source_ids[fk.column.table.name]
            clause = fk.parent.in_(ids) if ids else None
            if clause is not None:
                condition = clause if condition is None else condition | clause
        rows = (
            conn.execute(select(table).where(condition).order_by(table.c.id)).mappings().all()
            if condition is not None
            else []
        )
        source_rows[table.name] = list(rows)
        source_ids[table.name] = [r["id"] for r in rows]

    next_id = {
        name: (conn.scalar(select(func.max(tables[name].c.id))) or 0) + 1 for name in source_rows
    }
    number = (
        conn.scalar(
            select(func.max(app_t.c.number)).where(app_t.c.competition_id == competition_id)
        )
        or 0
    )
    doc_t = tables["document"]
    doc_numbers: dict[tuple[int, int], int] = {}
    uploads = Path(current_app.config["UPLOADS_DIR"])
    rounds = math.ceil((total - len(sources)) / len(sources))
    added = 0
    for _round in range(rounds):
        wanted = min(len(sources), total - len(sources) - added)
        mapping: dict[str, dict[int, int]] = {"application": {}}
        batch = []
        for s in sources[:wanted]:
            row = dict(s)
            mapping["application"][s["id"]] = row["id"] = next_id["application"]
            next_id["application"] += 1
            if row["number"] is not None:
                number += 1
                row["number"] = number
            batch.append(row)
        conn.execute(app_t.insert(), batch)
        added += len(batch)
        for table in children:
            mapping[table.name] = {}
            batch = []
            for s in source_rows[table.name]:
                row = dict(s)
                skip = False
                for fk in table.foreign_keys:
                    parent = fk.column.table.name
                    value = row[fk.parent.name]
                    if parent in mapping and value is not None:
                        if value not in mapping[parent]:
                            skip = True  # its application is not copied this round
                            break
                        row[fk.parent.name] = mapping[parent][value]
                if skip:
                    continue
                mapping[table.name][s["id"]] = row["id"] = next_id[table.name]
                next_id[table.name] += 1
                if table is doc_t:
                    key = (row["municipality_id"], row["year"])
                    if key not in doc_numbers:
                        doc_numbers[key] = conn.scalar(
                            select(func.max(doc_t.c.number)).where(
                                doc_t.c.municipality_id == key[0], doc_t.c.year == key[1]
                            )
                        )
                    doc_numbers[key] += 1
                    row["number"] = doc_numbers[key]
                    row["token"] = secrets.token_urlsafe(32)
                    row["pdf_path"] = row["sha256"] = None  # rendered on download
                if row.get("stored_as"):
                    row["stored_as"] = _copy_file(uploads, row["stored_as"])
                batch.append(row)
            if batch:
                conn.execute(table.insert(), batch)
    counters = tables["document_counter"]
    for (municipality_id, year), last in doc_numbers.items():
        conn.execute(
            update(counters)
            .where(counters.c.municipality_id == municipality_id, counters.c.year == year)
            .values(last_number=last)
        )
    sources_t = tables["funding_source"]
    conn.execute(
        update(sources_t)
        .where(sources_t.c.competition_id == competition_id)
        .values(amount=sources_t.c.amount * (rounds + 1))
    )
    if conn.dialect.name == "postgresql":
        for name in next_id:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{quoted}', 'id'), "
                    f"(SELECT max(id) FROM {quoted}))"
                )
            )
    db.session.expire_all()
    return added


def _copy_file(uploads: Path, stored_as: str) -> str:
    """A new stored name for a copy of the file, with the same bytes under it."""
    new = secrets.token_hex(32)
    source = uploads / stored_as[:2] / stored_as
    target = uploads / new[:2] / new
    if source.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return new
