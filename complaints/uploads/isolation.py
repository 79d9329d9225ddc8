"""Running a parser over an uploaded file in a child process with limits on memory and time.

A PDF of a few megabytes can hold object streams that expand to gigabytes, and a parser reading
it in the web process could take the process (and the machine's memory) with it. So the process
forks (``os.fork``: a copy of itself, which has already imported the parser, for a few
milliseconds), and the child alone reads the file. In the child, the address space may grow by
at most the memory limit beyond what it inherited, and CPU time is capped (``setrlimit``); the
parent waits at most the time limit and then kills it. A child that runs out of memory, crashes
or overruns reports nothing, and the caller treats the file as one it could not check.

The child answers through a pipe with a JSON header and the bytes of the copy, never a pickle:
the child has read a hostile file, and what it says is data, not code. It leaves with
``os._exit``, so nothing the parent holds (database connections, files, locks) is closed or
flushed twice. It takes no lock and logs nothing, which keeps forking from a threaded server (the
development server, the tests' live server) safe; gunicorn's sync workers and Celery's pool
processes are single-threaded anyway. Unlike multiprocessing's children, a plain fork works in
a daemonic process too (multiprocessing.Pool's and Celery's pool workers).
"""

import json
import os
import resource
import selectors
import signal
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

_HEADER = struct.Struct("!I")
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


class LimitExceeded(Exception):
    """The child ran out of memory or time, or died, before it answered."""


@dataclass(frozen=True)
class Answer:
    """What the child said: the bytes and codes the function returned, or the reason the function
    refused the file (``refused``), or ``failed`` for an exception nobody expected."""

    data: bytes = b""
    codes: tuple[str, ...] = ()
    refused: str = ""
    failed: bool = False


def run_limited(
    function: Callable[[bytes], tuple[bytes, list[str]]],
    data: bytes,
    *,
    refusal: type[Exception],
    memory_bytes: int,
    seconds: int,
) -> Answer:
    """``function(data)`` in a child process. ``function`` returns ``(bytes, codes)`` or raises
    ``refusal`` (whose ``reason`` is kept). Raises LimitExceeded if the child gave no answer
    within ``seconds`` or died (out of memory, killed)."""
    receiver, sender = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's work is seen through its answer
        os.close(receiver)
        _child(function, data, sender, refusal=refusal, memory_bytes=memory_bytes, seconds=seconds)
    os.close(sender)
    try:
        message = _read_all(receiver, deadline=time.monotonic() + seconds)
    finally:
        os.close(receiver)
        _reap(pid)
    return _decode(message)


def _child(function, data: bytes, sender: int, *, refusal, memory_bytes: int, seconds: int) -> None:
    status = 1
    try:
        # The limit is on growth: a forked web or worker process already maps far more than a
        # parser needs, and a cap below that would refuse every file.
        inherited = _address_space_bytes()
        resource.setrlimit(resource.RLIMIT_AS, (inherited + memory_bytes, inherited + memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        try:
            copy, codes = function(data)
            payload = bytes(copy)
            header = {"codes": list(codes), "bytes": len(payload)}
        except refusal as refused:
            header, payload = {"refused": str(getattr(refused, "reason", "")) or "REFUSED"}, b""
        except MemoryError:
            raise
        except Exception:  # an unexpected parser error: the parent refuses the file
            header, payload = {"failed": True}, b""
        encoded = json.dumps(header).encode()
        _write_all(sender, _HEADER.pack(len(encoded)) + encoded + payload)
        status = 0
    finally:
        os._exit(status)


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * _PAGE_BYTES


def _write_all(descriptor: int, message: bytes) -> None:
    view = memoryview(message)
    while view:
        view = view[os.write(descriptor, view) :]


def _read_all(descriptor: int, *, deadline: float) -> bytes:
    chunks = []
    with selectors.DefaultSelector() as selector:
        selector.register(descriptor, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise LimitExceeded("no answer in time")
            chunk = os.read(descriptor, 1024 * 1024)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _reap(pid: int) -> None:
    finished, _status = os.waitpid(pid, os.WNOHANG)
    if finished == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _decode(message: bytes) -> Answer:
    if len(message) < _HEADER.size:
        raise LimitExceeded("the child ended without an answer")
    (length,) = _HEADER.unpack_from(message)
    try:
        header = json.loads(message[_HEADER.size : _HEADER.size + length])
    except ValueError:
        raise LimitExceeded("the child's answer was cut short") from None
    if header.get("failed"):
        return Answer(failed=True)
    if header.get("refused"):
        return Answer(refused=str(header["refused"]))
    payload = message[_HEADER.size + length :]
    if len(payload) != header["bytes"]:
        raise LimitExceeded("the child's answer was cut short")
    return Answer(data=payload, codes=tuple(str(code) for code in header["codes"]))
