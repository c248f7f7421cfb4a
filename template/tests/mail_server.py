"""A real SMTP server for the tests: aiosmtpd on a loopback port, keeping what it receives.

Mail the project sends over SMTP arrives here as it would at any mail server: the tests read the
parsed messages, never a mock of the sending side. Load it as a plugin (`pytest_plugins`) for the
`mail_server` fixture, or run one for a block with `running_mail_server(port)`.
"""

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# aiosmtpd logs each envelope, recipients included, at INFO: that is this test server's log, not
# the project's, and it must not show up in the logs tests search for leaked addresses.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Inbox:
    """aiosmtpd's handler: every message accepted, parsed, and kept in the order it came."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []  # each message's envelope recipients (RCPT TO)
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        """The first `count` messages, once they have arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{len(self.messages)} of {count} emails arrived in {timeout} s")
                self._arrived.wait(left)
            return self.messages[:count]


class MailServer:
    """A running SMTP server: where to send (`host`, `port`) and what it received (`inbox`)."""

    def __init__(self, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname=self.host, port=port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def wait_for(self, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        return self.inbox.wait_for(count, timeout)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@contextmanager
def running_mail_server(port: int = 0) -> Iterator[MailServer]:
    """An SMTP server on `port` (a free one by default) for the block."""
    server = MailServer(port or free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """An SMTP server on a free loopback port for one test."""
    with running_mail_server() as server:
        yield server


def text_of(message: EmailMessage) -> str:
    """A message's plain-text body (its text/plain part where it has an HTML alternative)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"no text/plain part in {message['Subject']!r}"
    content = part.get_content()
    assert isinstance(content, str)
    return content
