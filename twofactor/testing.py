"""Helpers for tests that need a person with a second factor: a confirmed authenticator app,
the code it would show, and a test client session that has passed the second factor."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor.services import TOTP_DEVICE_NAME


def totp_device_for(user) -> TOTPDevice:
    """A confirmed authenticator app for ``user`` (as if enrolment had finished)."""
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or ``steps_ahead`` 30-second steps later, which the
    device still accepts for one step: a way to use a fresh code twice within one step)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user, device: TOTPDevice | None = None) -> TOTPDevice:
    """Sign ``user`` in on the test client with the second factor already passed."""
    device = device or TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
