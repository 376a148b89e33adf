"""Translation markers for a package that must not depend on Flask.

``N_`` only marks a string for extraction (pybabel looks for it); the application translates
it later, in the user's language, with the parameters a ``Reason`` carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Reason:
    """Why a step cannot be taken now: a message id and its parameters, untranslated."""

    message: str
    params: dict = field(default_factory=dict)

    def format(self, translate=lambda s: s) -> str:
        """A tuple parameter is a list of message ids (field names, document kinds): each is
        translated and they are joined, so "the title, the village" reads in the user's
        language too."""
        text = translate(self.message)
        if not self.params:
            return text
        params = {
            k: ", ".join(translate(item) for item in v) if isinstance(v, tuple) else v
            for k, v in self.params.items()
        }
        return text % params
