"""Pluggable senders for e-mail and SMS.

Chosen by settings (documented in ``.env.example``):
- ``SMS_BACKEND``: ``notifications.backends.LoggingSmsBackend`` (default: writes a masked line
  to the log) or ``notifications.backends.HttpSmsGatewayBackend`` (POSTs JSON to
  ``SMS_GATEWAY_URL`` with ``Authorization: Bearer SMS_GATEWAY_TOKEN``).
- ``NOTIFICATION_EMAIL_BACKEND``: ``notifications.backends.LoggingEmailBackend`` (default) or
  ``notifications.backends.DjangoEmailBackend`` (Django's ``EMAIL_BACKEND``, i.e. SMTP).

A backend raises :class:`DeliveryError` when a message was not accepted; the delivery task
retries with backoff and records the failure. Nothing here ever touches a case.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from permits.validators import mask_phone

logger = logging.getLogger("notifications")


class DeliveryError(Exception):
    """The message was not accepted; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    reference: str  # our idempotency reference, sent along where the provider accepts one


def mask_email(value: str) -> str:
    name, _, domain = value.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


class LoggingSmsBackend:
    def send(self, message: Message) -> str:
        logger.info("SMS to %s [%s]: %s", mask_phone(message.to), message.reference, message.body)
        return f"log-{message.reference}"


class LoggingEmailBackend:
    def send(self, message: Message) -> str:
        logger.info(
            "E-mail to %s [%s]: %s", mask_email(message.to), message.reference, message.subject
        )
        return f"log-{message.reference}"


class DjangoEmailBackend:
    def send(self, message: Message) -> str:
        try:
            send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [message.to],
                fail_silently=False,
            )
        except Exception as exc:  # SMTP errors of every kind
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return ""


class HttpSmsGatewayBackend:
    """A generic HTTP SMS gateway: ``POST SMS_GATEWAY_URL`` with
    ``{"phone", "content", "reference"}``; a 2xx answer (JSON ``{"id": ...}`` optional) means
    accepted; 4xx other than 408/429 is permanent; anything else is retried. The reference is
    our delivery id, so a gateway that de-duplicates on it never sends twice."""

    def __init__(self) -> None:
        self.url = getattr(settings, "SMS_GATEWAY_URL", "")
        self.token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        self.timeout = getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)
        self.sign = getattr(settings, "SMS_SIGNATURE", "")

    def send(self, message: Message) -> str:
        if not self.url:
            raise DeliveryError("SMS_GATEWAY_URL is not set", permanent=True)
        if not self.url.lower().startswith(("https://", "http://")):
            raise DeliveryError("SMS_GATEWAY_URL must be an http(s) URL", permanent=True)
        content = f"【{self.sign}】{message.body}" if self.sign else message.body
        payload = json.dumps(
            {"phone": message.to, "content": content, "reference": message.reference}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": message.reference,
            },
        )
        try:
            # bandit B310: the URL is the operator's SMS_GATEWAY_URL setting, checked to be http(s)
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                raw = response.read(4096)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise DeliveryError(f"gateway answered {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"gateway unreachable: {exc}") from exc
        try:
            return str(json.loads(raw or b"{}").get("id", ""))[:100]
        except (ValueError, AttributeError):
            return ""


def get_backend(channel: str):
    if channel == "sms":
        path = getattr(settings, "SMS_BACKEND", "notifications.backends.LoggingSmsBackend")
    else:
        path = getattr(
            settings, "NOTIFICATION_EMAIL_BACKEND", "notifications.backends.LoggingEmailBackend"
        )
    return import_string(path)()
