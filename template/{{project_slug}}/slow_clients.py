"""Uvicorn's h11 protocol with deadlines for reading a request, so slow clients are cut off.

Uvicorn closes an idle kept-alive connection (`--timeout-keep-alive`) but waits for ever on a
request that arrives slowly: a client sending its head or body a byte at a time holds a connection
as long as it likes ("slowloris"), and enough of them exhaust the server. This protocol closes the
connection when a request's head is not complete `REQUEST_HEAD_TIMEOUT` seconds (10) after the
connection opened, or after the head's first byte on a kept-alive connection, or when its body is
not complete `REQUEST_BODY_TIMEOUT` seconds (30) after the head. Every server command selects it:
`--http <package>.slow_clients:DeadlineH11Protocol`.

A protocol rather than ASGI middleware, because only the protocol sees a head before it is
complete; and a deadline for the whole head and body rather than between reads, which a client
sending a byte every few seconds would never reach.
"""

import asyncio
import math
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def seconds(name: str, value: str | None, default: float) -> float:
    """The duration environment variable `name` holds; a bad one stops the start, saying why."""
    try:
        duration = float(value) if value else default
    except ValueError:
        duration = math.nan
    if not 0 < duration < math.inf:
        message = f"{name} must be a number of seconds above 0, not {value!r}"
        raise ValueError(message)
    return duration


HEAD_TIMEOUT = seconds("REQUEST_HEAD_TIMEOUT", os.getenv("REQUEST_HEAD_TIMEOUT"), 10)
BODY_TIMEOUT = seconds("REQUEST_BODY_TIMEOUT", os.getenv("REQUEST_BODY_TIMEOUT"), 30)


class DeadlineH11Protocol(H11Protocol):
    """H11Protocol that closes a connection whose client is too slow to send its request."""

    _deadline: asyncio.TimerHandle | None = None
    _awaiting: object = None  # the client's h11 state the deadline is for: IDLE (head) or SEND_BODY

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch(h11.IDLE)  # the first head: from the connection's start

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._watch(h11.IDLE)  # a later head: from its first byte (keep-alive's until then)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()  # a pipelined request may have started meanwhile

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    def _follow(self) -> None:
        """Keep the deadline on what the client still owes: a head, then a body, else nothing."""
        state = self.conn.their_state
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            self._stop()  # closed, or upgraded to a WebSocket whose own protocol takes over
        elif state is h11.SEND_BODY:
            if self._awaiting is not h11.SEND_BODY:
                self._watch(h11.SEND_BODY)
        elif state is h11.IDLE and self._awaiting is not h11.IDLE:
            partial_head, _ = self.conn.trailing_data
            if partial_head:
                self._watch(h11.IDLE)
            else:
                self._stop()
        elif state is not h11.IDLE:
            self._stop()  # the request is in: the app's time, not the client's

    def _watch(self, state: object) -> None:
        self._stop()
        self._awaiting = state
        timeout = HEAD_TIMEOUT if state is h11.IDLE else BODY_TIMEOUT
        self._deadline = self.loop.call_later(timeout, self._expired)

    def _stop(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._awaiting = None

    def _expired(self) -> None:
        self._deadline = None
        if self.flow.read_paused:  # the app has not read the body yet: it is behind, not the client
            self._watch(self._awaiting)
        else:
            self.transport.close()  # a waiting app then sees the client disconnect
