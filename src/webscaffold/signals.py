"""How `scaffold` reacts to signals: the only module that installs signal handlers.

Both context managers restore the handlers they replaced, and do nothing outside the
main thread (where Python allows no handlers), so the engine stays usable as a library.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

# What a closed terminal or `kill` sends; Ctrl-C (SIGINT) is already a KeyboardInterrupt.
_TERMINATING = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def interrupts_as_keyboard() -> Iterator[None]:
    """Let SIGTERM and SIGHUP unwind like Ctrl-C, so `finally` clean-up always runs."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    with _handled(_TERMINATING, interrupt):
        yield


@contextmanager
def held() -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM and SIGHUP: yields the list of those that arrived meanwhile.

    For a step that must finish or be rolled back, never stop halfway; the caller looks
    at the list at safe points and raises KeyboardInterrupt itself.
    """
    received: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    with _handled((signal.SIGINT, *_TERMINATING), hold):
        yield received


@contextmanager
def _handled(
    signums: tuple[signal.Signals, ...], handler: Callable[[int, FrameType | None], None]
) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
