"""Mailing digests through an SMTP server: `smtp://user@host:587` (STARTTLS) or
`smtps://user@host:465` (TLS from the start).

The password is given by the caller (read from the environment), never taken from a command
line, and never appears in a message this module returns: a failure is described by the
server's reply or the network error, with the password masked should a server echo it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from partnercrm.digest.model import Digest
from partnercrm.digest.render import Say, render_html, render_text
from partnercrm.errors import Invalid

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    implicit_tls: bool  # smtps://; otherwise STARTTLS
    sender: str

    def __repr__(self) -> str:  # a settings object printed in a log must not show the password
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"password={'***' if self.password else None}, implicit_tls={self.implicit_tls}, "
            f"sender={self.sender!r})"
        )


def smtp_settings(
    url: str, *, password: str | None = None, sender: str | None = None
) -> SmtpSettings:
    """Settings from an smtp:// or smtps:// URL; the password comes from `password` (or, if
    someone put it there, the URL), and the sender defaults to the user when it is an address."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise Invalid(
            "the SMTP server must be given as smtp://user@host:587 or smtps://user@host:465",
            field="smtp_url",
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError:
        raise Invalid("the SMTP server's port is not a number", field="smtp_url") from None
    user = unquote(parts.username) if parts.username else None
    secret = password or (unquote(parts.password) if parts.password else None)
    if secret and not user:
        raise Invalid("an SMTP password needs a user: smtp://user@host:587", field="smtp_url")
    from_address = sender or (user if user and "@" in user else f"partnercrm@{parts.hostname}")
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        user=user,
        password=secret,
        implicit_tls=parts.scheme == "smtps",
        sender=from_address,
    )


@dataclass
class SendResult:
    colleague: str
    email: str
    sent: bool
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "colleague": self.colleague,
            "email": self.email,
            "sent": self.sent,
            "error": self.error,
        }


def digest_message(digest: Digest, sender: str, say: Say | None = None) -> EmailMessage:
    """The digest as an email: plain text, with the HTML page as the alternative."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = digest.email
    msg["Subject"] = digest.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg.set_content(render_text(digest, say))
    msg.add_alternative(render_html(digest, say), subtype="html")
    return msg


def send_digests(
    digests: Sequence[Digest],
    settings: SmtpSettings,
    *,
    tls_context: ssl.SSLContext | None = None,
    progress: Callable[[SendResult], None] | None = None,
    say: Say | None = None,
) -> list[SendResult]:
    """Mail each non-empty digest to its colleague; a failure for one is recorded and the
    others still go."""
    results: list[SendResult] = []
    for digest in digests:
        if digest.empty:
            continue
        result = SendResult(digest.colleague, digest.email, sent=False)
        try:
            _send(digest_message(digest, settings.sender, say), settings, tls_context)
            result.sent = True
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            result.error = _masked(_describe(exc), settings.password)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def _send(msg: EmailMessage, settings: SmtpSettings, context: ssl.SSLContext | None) -> None:
    context = context or ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.implicit_tls:
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    with smtp:
        smtp.ehlo()
        if not settings.implicit_tls:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif settings.password:
                raise smtplib.SMTPNotSupportedError(
                    f"{settings.host} does not offer STARTTLS, so the password is not sent"
                )
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
        smtp.send_message(msg)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = [
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        ]
        return "the server refused the address: " + "; ".join(replies)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"the server replied {exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPException):
        return str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {exc}"


def _masked(text: str, password: str | None) -> str:
    return text.replace(password, "***") if password else text
