"""Running a parser over an uploaded file in a child process with limits on memory and time.

A PDF of a few megabytes can hold object streams that expand to gigabytes, and a parser reading
it in the web process could take the process (and the machine's memory) with it. The child is
forked from a small server process started once per web process (multiprocessing's
"forkserver"), which has already imported the parser, so each file costs a fork, not a new
interpreter. In the child, the address space and CPU time are capped (``setrlimit``); the parent
waits at most the time limit and then kills it. A child that runs out of memory, crashes or
overruns reports nothing, and the caller treats the file as one it could not check.
"""

import contextlib
import logging
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable
from multiprocessing import forkserver, spawn

logger = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["complaints.uploads.pdf"])
_CHILD_NAME = "helpcenter-upload-check"
_preparation_data = spawn.get_preparation_data


def _without_main(name):
    """multiprocessing prepares every child by running the program's main script again (pytest's,
    gunicorn's), which costs far more than the check itself (measured: 1.5 s a file under
    pytest on a busy machine, against 10 ms for the check). Our children need nothing from it:
    only complaints.uploads, already imported by the server. Other processes are left as they are."""
    data = _preparation_data(name)
    if name == _CHILD_NAME:
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


spawn.get_preparation_data = _without_main


def _forget_inherited_forkserver() -> None:
    """In a process forked from one that already started its forkserver (gunicorn's workers, the
    fuzz tests' workers), the inherited server is a sibling: multiprocessing would ``waitpid`` on
    it and fail with ChildProcessError. Forget it, so this process starts its own when needed."""
    server = forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is None:
        return
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)
    server._forkserver_pid = None
    server._forkserver_address = None
    server._forkserver_alive_fd = None
    server._lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_inherited_forkserver)


class LimitExceeded(Exception):
    """The child ran out of memory or time, or died, before it answered."""


def run_limited(function: Callable, data: bytes, *, memory_bytes: int, seconds: int):
    """``function(data)`` in a child process, returned as ``("ok", result)`` or
    ``("error", exception)`` for an exception the function raised. Raises LimitExceeded if the
    child gave no answer within ``seconds`` or died (out of memory, killed)."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(
        target=_child, args=(function, data, sender, memory_bytes, seconds), name=_CHILD_NAME, daemon=True
    )
    try:
        child.start()
    except AssertionError:
        # A daemonic multiprocessing worker (multiprocessing.Pool's) may not start children: the
        # file cannot be checked there, so it is refused, never stored unchecked.
        logger.warning("The upload check cannot start its child in a daemonic process; the PDF is refused.")
        sender.close()
        receiver.close()
        raise LimitExceeded("no child process in a daemonic process") from None
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise LimitExceeded(f"no answer in {seconds} s")
        try:
            return receiver.recv()
        except EOFError:
            raise LimitExceeded("the child ended without an answer") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _child(function: Callable, data: bytes, sender, memory_bytes: int, seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    try:
        answer = ("ok", function(data))
    except MemoryError:
        return  # no answer: the parent reports the limit
    except Exception as error:  # handed to the parent, which decides what it means
        answer = ("error", error)
    sender.send(answer)
    sender.close()
