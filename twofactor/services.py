"""Writes for the second factor: enrolling an authenticator app, recovery codes, checking a code.

Devices are django-otp's: a ``TOTPDevice`` (the authenticator app, RFC 6238, 30-second codes) and
a ``StaticDevice`` holding single-use recovery codes. django-otp throttles wrong codes per device
(each failure doubles the wait) and refuses a TOTP code from a time step already used, so a code
seen over someone's shoulder cannot be replayed.

A failed check must be counted even though the caller then reports an error, so every check runs
in its own transaction and the error is raised only after that transaction has committed.
"""

import re
from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

_TOTP_CODE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]+")


class CodeRejected(Exception):
    """The code was wrong, already used, or checks are paused after too many wrong codes."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Verified:
    device: Device
    used_recovery_code: bool
    recovery_codes_left: int


def code_normalize(code: str) -> str:
    """Codes are typed by hand: ignore spaces and dashes, and the case of recovery codes."""
    return _SEPARATORS.sub("", code or "").lower()


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The device being enrolled: the user's unconfirmed one if any (so reloading the page shows
    the same secret), otherwise a new one with a fresh random secret."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
            device.full_clean()
            device.save()
    return device


def totp_enrolment_confirm(*, user, device_id: int, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the enrolment with the app's current code. Returns the confirmed device and the new
    recovery codes (shown once). Raises CodeRejected if the code is wrong; nothing is confirmed then."""
    code = code_normalize(code)
    codes: list[str] = []
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
        if device is None:
            refusal = "This setup has expired. Please sign in again to start over."
        else:
            refusal = _throttled(device) or (None if _TOTP_CODE.match(code) else _WRONG_FORMAT)
            if refusal is None and not device.verify_token(code):
                refusal = _WRONG[True]
            if refusal is None:
                device.confirmed = True
                device.full_clean()
                device.save(update_fields=["confirmed"])
                # Other half-finished enrolments (another tab) must not linger as usable secrets.
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                codes = recovery_codes_replace(user=user)
    if refusal:
        raise CodeRejected(refusal)
    return device, codes


def recovery_codes_replace(*, user) -> list[str]:
    """Make a new set of recovery codes; any earlier codes stop working. Returns the new codes."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        device.full_clean()
        device.save()
        codes = []
        while len(codes) < RECOVERY_CODE_COUNT:
            token = StaticToken.random_token()
            if token not in codes:
                codes.append(token)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


def second_factor_check(*, user, code: str) -> Verified:
    """Check a code from the authenticator app (six digits) or a recovery code (used up by this
    check). Returns the device that accepted it; raises CodeRejected otherwise."""
    code = code_normalize(code)
    is_totp = bool(_TOTP_CODE.match(code))
    model = TOTPDevice if is_totp else StaticDevice
    accepted = None
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True).order_by("id"))
        refusal = None if devices else _NO_DEVICE[is_totp]
        for device in devices:
            refusal = _throttled(device)
            if refusal is None and device.verify_token(code):
                accepted = device
                break
        if accepted is None and refusal is None:
            refusal = _WRONG[is_totp]
        left = StaticToken.objects.filter(device__user=user).count() if accepted is not None else 0
    if accepted is None:
        raise CodeRejected(refusal)
    return Verified(device=accepted, used_recovery_code=not is_totp, recovery_codes_left=left)


def is_enrolled(user) -> bool:
    """Whether the user has finished setting up an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_reset(*, user) -> int:
    """Remove the user's app and recovery codes (a lost phone): they set up again at next sign-in.
    Returns how many devices were removed."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        static_removed = StaticDevice.objects.filter(user=user).count()
        StaticDevice.objects.filter(user=user).delete()
    return removed + static_removed


_WRONG_FORMAT = "Type the 6-digit code your authenticator app shows now."
_WRONG = {
    True: "That code did not match. Check that your phone's clock is right and type the newest code.",
    False: "That recovery code did not match, or it was already used. Each recovery code works once.",
}
_NO_DEVICE = {
    True: "There is no authenticator app set up for this account. Call the Help Center to reset it.",
    False: "That recovery code did not match, or it was already used. Each recovery code works once.",
}


def _throttled(device: Device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    if info and info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS and info.get("locked_until"):
        seconds = max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
        wait = "1 second" if seconds == 1 else f"{seconds} seconds"
        return f"Too many wrong codes. Please wait {wait}, then try again."
    return "Codes cannot be checked for this account right now. Please try again later."
