"""Password rules: long, not guessable from a list or a keyboard, not made of the login.

Length matters most (NIST SP 800-63B): at least 10 characters, no composition rules that
push people to "Password1!". What we refuse instead is what an attacker tries first: the
most common passwords (in the languages people here type), keyboard and digit runs,
one character repeated, and the person's own login or name. Login throttling does the rest.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from workflows.i18n import N_

MIN_LENGTH = 10
MAX_LENGTH = 200

TOO_SHORT = N_("the password must have at least 10 characters")
TOO_LONG = N_("the password may have at most 200 characters")
GUESSABLE = N_(
    "the password is too easy to guess: avoid common passwords, keyboard or digit runs and "
    "repeated characters"
)
PERSONAL = N_("the password must not contain your name, e-mail address or phone number")
MESSAGES = (TOO_SHORT, TOO_LONG, GUESSABLE, PERSONAL)

# Runs people type: rows of the Latin and Cyrillic keyboards, digits, the alphabet.
RUNS = (
    "01234567890123456789",
    "98765432109876543210",
    "qwertyuiopasdfghjklzxcvbnm",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "abcdefghijklmnopqrstuvwxyz",
    "йцукенгшщзхъфывапролджэячсмитьбю",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
)

# The most common passwords of leaked lists, with local ones; compared after removing
# digits and punctuation at the ends, so "password2024!" is caught by "password".
_COMMON_WORDS = """
    password passw0rd p@ssw0rd qwerty qwertyuiop asdfghjkl zxcvbnm iloveyou letmein
    welcome admin administrator monkey dragon master sunshine princess football baseball
    superman batman trustno1 whatever freedom shadow michael jennifer computer internet
    starwars secret changeme default login pass parol parol123 пароль kyrgyzstan
    kyrgyz bishkek osh manas aiylokmotu ayilokmotu кыргызстан бишкек манас
    qwe123 qweasdzxc 1qaz2wsx zaq12wsx abc123 abcdef aaaaaa
"""
COMMON = frozenset(_COMMON_WORDS.split())


class PasswordRefused(ValueError):
    """Carries the message id of the rule the password breaks."""


def check(password: str, *, login: str = "", name: str = "") -> None:
    """Raise ``PasswordRefused`` with the first rule the password breaks."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(TOO_LONG)
    if guessable(password):
        raise PasswordRefused(GUESSABLE)
    if personal(password, login, name):
        raise PasswordRefused(PERSONAL)


def guessable(password: str) -> bool:
    lowered = password.lower()
    if len(set(lowered)) < 4:  # "aaaaaaaaaa", "abababab12"
        return True
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    if lowered in COMMON or core in COMMON:
        return True
    return any(lowered in run or (len(core) >= 6 and core in run) for run in RUNS)


def personal(password: str, login: str, name: str) -> bool:
    lowered = password.lower()
    local_part = login.split("@", 1)[0]  # the mail provider's name is nobody's secret
    pieces = re.split(r"[\s.+_-]+", f"{local_part} {name}".lower())
    digits = re.sub(r"\D", "", login)
    if len(digits) >= 6 and digits[-6:] in re.sub(r"\D", "", password):
        return True
    return any(len(piece) >= 4 and piece in lowered for piece in pieces)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def waste_a_check(password: str) -> None:
    """Check the password against a hash of nothing, with the method real ones use: a login
    typed for an account that does not exist then takes as long to refuse as a wrong
    password, so the time of the answer does not tell who has an account."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    check_password_hash(_dummy_hash(method), password)
