"""Work on the second core: a function run in a forked process while this one goes on.

The build uses it where the work splits in independent parts: half of the pages rendered while
this process renders the other half, the search index built while MkDocs runs. The child has
everything this process had at the fork (no pickling of the inputs); its result comes back
pickled through a pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any


def can_fork() -> bool:
    """Whether a second process helps and may be forked: two processors or more, fork available,
    not itself a daemonic worker (which may have no children).

    Other threads may run (`jirei serve` serves and watches in threads): the child touches no lock
    of theirs (logging's are reset at the fork by the logging module) and writes only its result."""
    return (
        (os.cpu_count() or 1) >= 2
        and "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


class Forked:
    """`function(*args)` running in a forked process (or, where a fork does not help or is not
    possible, run here when its result is asked for)."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self.function, self.args = function, args
        self.child = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            self.child = context.Process(target=_child, args=(sender, function, args), daemon=True)
            self.child.start()
            sender.close()

    def ready(self) -> bool:
        """Whether the result is there (a result asked for will not wait)."""
        return self.child is None or self.receiver.poll()

    def result(self) -> Any:
        """Wait for the result; an exception in the child is raised here."""
        if self.child is None:
            return self.function(*self.args)
        try:
            failed, value = self.receiver.recv()
        except EOFError:
            raise RuntimeError(f"the forked process ended with code {self.child.exitcode} before its result") from None
        finally:
            self.stop()
        if failed:
            raise value
        return value

    def stop(self) -> None:
        """End the child (at once, if it still runs)."""
        if self.child is not None:
            if self.child.is_alive():
                self.child.kill()
            self.child.join()
            self.receiver.close()


@contextlib.contextmanager
def beside(function: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """Run `function(*args)` in a forked process while the block runs. The block calls the
    function it is given to wait for the result (an exception in the child is raised there).
    Where a fork does not help or is not possible, the function runs in this process then.
    Leaving the block without waiting kills the child."""
    forked = Forked(function, *args)
    try:
        yield forked.result
    finally:
        forked.stop()


def _child(sender, function, args) -> None:
    """In the forked process: run, send (failed, result or exception), end (with the parent, if it is killed)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG: SIGKILL when the parent dies (Linux)
    try:
        outcome = (False, function(*args))
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
        outcome = (True, error)
    try:
        sender.send(outcome)
    except Exception as error:  # noqa: BLE001 - a result or an exception that cannot be pickled
        sender.send((True, RuntimeError(f"the forked process could not send its result: {error!r}")))
    finally:
        sender.close()
