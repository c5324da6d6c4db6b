"""Reading emails: .eml files (the standard library's `email`), Outlook .msg files
(`extract-msg`) and maildir folders (`mailbox.Maildir`), into `Captured` items.

Only the headers that say who, when and what, and the plain-text body, are read; attachments
are never opened or kept.
"""

from __future__ import annotations

import hashlib
import logging
import mailbox
from collections.abc import Iterable, Iterator
from datetime import datetime
from email import policy
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from partnercrm.capture.items import Address, Captured, Unreadable

EMAIL_SUFFIXES = (".eml", ".msg")

# extract-msg logs a broken file as an ERROR before raising; the report says it in one sentence
for _name in ("extract_msg", "olefile"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def read_emails(paths: Iterable[str | Path]) -> Iterator[Captured | Unreadable]:
    """Every message in the given .eml and .msg files and maildir folders, in the order given.

    A folder that is not a maildir is read as a folder of .eml and .msg files.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if (path / "cur").is_dir() or (path / "new").is_dir():
                yield from _read_maildir(path)
            else:
                files = sorted(p for p in path.iterdir() if p.suffix.lower() in EMAIL_SUFFIXES)
                if not files:
                    yield Unreadable(
                        str(path), "is neither a maildir nor a folder of .eml or .msg files"
                    )
                for file in files:
                    yield _read_file(file)
        elif not path.exists():
            yield Unreadable(str(path), "does not exist")
        else:
            yield _read_file(path)


def _read_file(path: Path) -> Captured | Unreadable:
    try:
        if path.suffix.lower() == ".msg":
            return _from_msg(path)
        return _from_bytes(path.read_bytes(), str(path))
    except OSError as exc:
        return Unreadable(str(path), f"cannot be read ({exc.strerror or exc})")
    except Exception as exc:  # a message malformed in a way no reader foresaw: one sentence
        return Unreadable(str(path), f"cannot be read ({exc.__class__.__name__}: {exc})")


def _read_maildir(path: Path) -> Iterator[Captured | Unreadable]:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    for key in sorted(box.iterkeys()):
        source = f"{path}/{key}"
        try:
            data = box.get_bytes(key)
        except (OSError, KeyError) as exc:
            yield Unreadable(source, f"cannot be read ({exc})")
            continue
        try:
            yield _from_bytes(data, source)
        except Exception as exc:  # as for a file: one sentence, and the next message
            yield Unreadable(source, f"cannot be read ({exc.__class__.__name__}: {exc})")


# --- .eml and maildir: RFC 5322 messages --------------------------------------------------


def _from_bytes(data: bytes, source: str) -> Captured | Unreadable:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:  # the parser is lenient; anything it raises means a broken file
        return Unreadable(source, f"is not an email message ({exc})")
    if not isinstance(msg, EmailMessage) or not (msg["From"] or msg["To"]):
        return Unreadable(source, "is not an email message (it has no From or To)")
    when = _header_date(msg)
    if when is None:
        return Unreadable(source, "has no readable Date")
    return _email(
        source,
        msg["Message-ID"],
        when,
        next(iter(_addresses(msg, "From")), None),
        _addresses(msg, "To") + _addresses(msg, "Cc"),
        str(msg["Subject"] or ""),
        _body(msg),
    )


def _email(
    source: str,
    message_id: Any,
    when: datetime,
    sender: Address | None,
    recipients: list[Address],
    subject: str,
    body: str,
) -> Captured:
    subject = subject.strip()
    return Captured(
        source=source,
        message_id=_message_id(message_id, when, sender, subject, body),
        channel="email",
        when=when,
        subject=subject,
        sender=sender,
        recipients=recipients,
        body=body,
    )


def _header_date(msg: EmailMessage) -> datetime | None:
    try:
        header = msg["Date"]
    except Exception:  # a Date the header registry cannot parse at all
        return None
    if header is None:
        return None
    value = getattr(header, "datetime", None)
    if value is None:
        try:
            value = parsedate_to_datetime(str(header))
        except (TypeError, ValueError):
            return None
    return value


def _addresses(msg: EmailMessage, name: str) -> list[Address]:
    try:
        headers = msg.get_all(name) or []
    except Exception:
        return []
    found: list[Address] = []
    for header in headers:
        if isinstance(header, AddressHeader):
            for a in header.addresses:
                if a.addr_spec and "@" in a.addr_spec:
                    found.append(Address(a.display_name or "", a.addr_spec.strip().lower()))
        else:  # a header the registry could not parse: read it the old way
            found.extend(_parse_list(str(header)))
    return found


def _parse_list(text: str) -> list[Address]:
    """Addresses from a list as Outlook writes it ("A <a@x>; B <b@y>")."""
    return [
        Address(name.strip().strip("'\""), addr.strip().lower())
        for name, addr in getaddresses([text.replace(";", ",")])
        if "@" in addr
    ]


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_subtype() == "html" else content


def _message_id(
    header: Any, when: datetime, sender: Address | None, subject: str, body: str
) -> str:
    value = str(header or "").strip()
    if value:
        return value[:998]
    # no Message-ID (some exports drop it): one made from the message itself, the same each time
    digest = hashlib.sha256(
        "\n".join([when.isoformat(), sender.email if sender else "", subject, body]).encode()
    ).hexdigest()
    return f"<{digest[:40]}@partnercrm.invalid>"


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        if tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# --- Outlook .msg --------------------------------------------------------------------------


def _from_msg(path: Path) -> Captured | Unreadable:
    import extract_msg

    source = str(path)
    try:
        msg = extract_msg.openMsg(str(path), delayAttachments=True)
    except Exception as exc:  # extract-msg raises its own and olefile's errors for bad files
        return Unreadable(source, f"is not an Outlook message ({exc.__class__.__name__}: {exc})")
    try:
        if not isinstance(msg, extract_msg.msg_classes.MessageBase):
            return Unreadable(source, "is an Outlook item but not an email")
        when = msg.date
        if when is None:
            return Unreadable(source, "has no sent or received date")
        body = msg.body or ""
        if not body and msg.htmlBody:
            body = html_to_text(msg.htmlBody.decode("utf-8", "replace"))
        return _email(
            source,
            msg.messageId,
            when,
            _msg_sender(msg),
            _msg_recipients(msg),
            msg.subject or "",
            body,
        )
    except Exception as exc:  # a damaged property stream
        return Unreadable(source, f"cannot be read ({exc.__class__.__name__}: {exc})")
    finally:
        msg.close()


def _msg_sender(msg: Any) -> Address | None:
    found = _parse_list(msg.sender or "")
    if found:
        return found[0]
    return None


def _msg_recipients(msg: Any) -> list[Address]:
    from extract_msg.enums import RecipientType

    found: list[Address] = []
    for r in msg.recipients:
        if r.type not in (RecipientType.TO, RecipientType.CC):
            continue  # Bcc: not shown to the others, and not who took part
        if r.email and "@" in r.email:
            found.append(Address((r.name or "").strip(), r.email.strip().lower()))
    if not found:  # some writers leave the recipient table empty and fill the header lists
        found = _parse_list(msg.to or "") + _parse_list(msg.cc or "")
    return found
