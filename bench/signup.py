"""Sign-up's two paths side by side: a new address and one that already has an account.

The page must not tell, by its speed, whether an address has an account (issue 26): both paths
hash the password once (Django's shipped hasher, PBKDF2, as in production: the benchmark does
not swap in the tests' fast one) and queue one e-mail for the worker. Measured through the Django
test client, alternating the two paths so drift in the machine's speed hits both alike, each
request from its own address (as many people would; the per-address sign-up limit stays out of
it). Tasks go to an in-memory broker, as the web process hands them to Redis and never waits for
the worker. Target: the two medians within 10% of each other.
"""

import time

from django.contrib.auth.hashers import get_hasher
from django.test import Client

from accounts.models import User
from accounts.tests.factories import EnrolleeFactory
from bench.core import Result, benchmark, median, percentile
from bench.offline import tasks_queued_not_run

WARM_UP = 3
SIGN_UPS = 30
TARGET_SHARE = 0.10
PASSWORD = "river candle maple orbit"  # noqa: S105 (a benchmark account's, never a real one)


def _one(client: Client, email: str, n: int) -> float:
    data = {"full_name": "Bench Person", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    started = time.perf_counter()
    response = client.post("/account/signup/", data, REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    elapsed = time.perf_counter() - started
    assert response.status_code == 302, response.status_code  # noqa: S101 (a refused sign-up is no sign-up)
    return elapsed


@benchmark
def sign_up_paths() -> list[Result]:
    existing = EnrolleeFactory(email="bench-existing@example.test")
    client = Client(HTTP_HOST="localhost")
    new, known = [], []
    try:
        with tasks_queued_not_run():
            for n in range(WARM_UP + SIGN_UPS):
                new_seconds = _one(client, f"bench-new-{n}@example.test", 2 * n)
                known_seconds = _one(client, existing.email, 2 * n + 1)
                if n >= WARM_UP:
                    new.append(new_seconds)
                    known.append(known_seconds)
    finally:
        User.objects.filter(email__startswith="bench-").delete()
    new_ms, known_ms = median(new) * 1000, median(known) * 1000
    gap = abs(new_ms - known_ms) / max(new_ms, known_ms)
    return [
        Result(
            name="sign-up: new address vs address with an account",
            value=f"median {new_ms:.0f} ms vs {known_ms:.0f} ms ({gap:.1%} apart)",
            baseline=(
                f"p95 {percentile(new, 0.95) * 1000:.0f} ms vs {percentile(known, 0.95) * 1000:.0f} ms; "
                f"hasher {get_hasher().algorithm}"
            ),
            target=f"medians within {TARGET_SHARE:.0%}",
            met=gap <= TARGET_SHARE,
            note=(
                f"{SIGN_UPS} sign-ups each after {WARM_UP} warm-ups, alternating; both paths hash once and queue "
                "one e-mail (before issue 26: 52-65 ms for a known address, 330-450 ms for a new one)"
            ),
        )
    ]
