"""What every outgoing email is checked for, and how logs name its recipients."""

import re

from django.core.mail import BadHeaderError

ADDRESS = re.compile(r"[^\s<>'\"(),:;{}\[\]]+@[^\s<>'\"(),:;{}\[\]]+")


def redacted(address: str) -> str:
    """An address as logs may show it: `a***@example.com` (whose mail it was, not who exactly)."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def redacted_error(error: BaseException) -> str:
    """An error as logs may show it, every address in its text redacted (smtplib's errors name
    the recipients they refused)."""
    text = ADDRESS.sub(lambda found: redacted(found.group()), str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def refuse_header_injection(subject: str, recipients: list[str]) -> None:
    """A line break in a header would start a header of its own (a Bcc, say): refuse it before
    anything is queued or sent."""
    for value in (subject, *recipients):
        if "\n" in value or "\r" in value:
            raise BadHeaderError(f"A line break in an email header: {value!r}")
