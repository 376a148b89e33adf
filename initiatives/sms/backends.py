"""The providers an SMS can go through, chosen by ``SMS_BACKEND``.

- ``outbox`` (the embedded default): nothing leaves the server; a message is marked sent
  and the operator reads it on the staff page (``/admin/sms``). Enough for a pilot, and for
  development.
- ``http``: a gateway of the kind Kyrgyz aggregators offer (SMSPRO / Nikita and the like):
  one XML POST per message to ``SMS_GATEWAY_URL``::

      <message><login/><pwd/><id/><sender/><text/><phones><phone/></phones></message>

  answered by ``<response><id/><status/>...</response>``, status 0 meaning accepted. The
  gateway later reports delivery to our ``/sms/delivery`` (``views.py``).

A provider's ``send`` returns when the message is accepted and raises ``Retry`` when trying
again later may help (the network, a 5xx) or ``Refused`` when it will not.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from xml.etree import ElementTree

from flask import current_app

TIMEOUT = 10  # seconds; delivery runs in the background, but must not hang there either


class Retry(Exception):
    """The message did not go, and a later try may succeed. ``reached`` when the gateway
    may have taken it anyway (no answer in time): its place under the cap stays used."""

    def __init__(self, message: str, *, reached: bool = False):
        super().__init__(message)
        self.reached = reached


class Refused(Exception):
    """The gateway answered and refused the message: trying again would not help."""


class OutboxBackend:
    name = "outbox"
    capped = False  # nothing is paid for: the daily cap does not apply

    def send(self, message) -> None:
        return None


class HttpGatewayBackend:
    name = "http"
    capped = True

    def __init__(self, config):
        self.url = config["SMS_GATEWAY_URL"]
        self.login = config.get("SMS_GATEWAY_LOGIN") or ""
        self.password = config.get("SMS_GATEWAY_PASSWORD") or ""
        self.sender = config.get("SMS_SENDER") or ""

    def request_body(self, message) -> bytes:
        root = ElementTree.Element("message")
        for tag, value in (
            ("login", self.login),
            ("pwd", self.password),
            ("id", message.provider_id),
            ("sender", self.sender),
            ("text", message.text),
        ):
            ElementTree.SubElement(root, tag).text = value
        phones = ElementTree.SubElement(root, "phones")
        # The aggregators take the number without the plus: 996555123456.
        ElementTree.SubElement(phones, "phone").text = message.phone.lstrip("+")
        return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)

    def send(self, message) -> None:
        request = urllib.request.Request(
            self.url,
            data=self.request_body(message),
            headers={"Content-Type": "application/xml; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                reply = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise Retry(f"gateway answered HTTP {exc.code}") from exc
            raise Refused(f"gateway answered HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise Retry("gateway did not answer in time", reached=True) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise Retry(f"gateway unreachable: {exc}") from exc
        status = self.status_of(reply)
        if status != "0":
            raise Refused(f"gateway status {status}")

    @staticmethod
    def status_of(reply: bytes) -> str:
        try:
            root = ElementTree.fromstring(reply)
        except ElementTree.ParseError as exc:
            raise Retry("gateway answered something that is not XML", reached=True) from exc
        status = root.findtext("status")
        return (status or "").strip() or "missing"


def configured():
    """The provider the configuration names (unknown names fall back to the outbox, which
    loses nothing: the messages wait on the staff page)."""
    config = current_app.config
    if config.get("SMS_BACKEND") == "http" and config.get("SMS_GATEWAY_URL"):
        return HttpGatewayBackend(config)
    return OutboxBackend()
