"""The second factor's rules: enrolment, codes, recovery codes, throttling, replay."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import PlanUserFactory
from twofactor import services
from twofactor.testing import totp_code, totp_device_for

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    """A six-digit code that is not ``code`` nor the codes next to it."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def user():
    return PlanUserFactory()


def test_enrolment_reuses_the_unconfirmed_device_so_a_reload_keeps_the_secret(user):
    first = services.totp_enrolment_device(user=user)
    again = services.totp_enrolment_device(user=user)
    assert first.id == again.id
    assert not first.confirmed
    assert not services.is_enrolled(user)


def test_the_secret_is_shown_as_base32_in_groups_of_four(user):
    device = services.totp_enrolment_device(user=user)
    text = services.totp_secret_text(device)
    groups = text.split(" ")
    assert all(len(group) == 4 for group in groups[:-1])
    assert set("".join(groups)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert len("".join(groups)) == 32  # 20 random bytes


def test_a_wrong_code_does_not_confirm_and_is_counted(user):
    device = services.totp_enrolment_device(user=user)
    with pytest.raises(services.CodeRejected, match="did not match"):
        services.totp_enrolment_confirm(user=user, device_id=device.id, code=_wrong(totp_code(device)))
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert not StaticDevice.objects.filter(user=user).exists()


def test_the_right_code_confirms_and_makes_ten_single_use_recovery_codes(user):
    device = services.totp_enrolment_device(user=user)
    confirmed, codes = services.totp_enrolment_confirm(user=user, device_id=device.id, code=totp_code(device))
    assert confirmed.id == device.id
    assert services.is_enrolled(user)
    assert len(codes) == len(set(codes)) == services.RECOVERY_CODE_COUNT
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(codes)


def test_a_code_that_is_not_six_digits_is_refused_at_enrolment(user):
    device = services.totp_enrolment_device(user=user)
    with pytest.raises(services.CodeRejected, match="6-digit"):
        services.totp_enrolment_confirm(user=user, device_id=device.id, code="12345")


def test_spaces_and_dashes_in_codes_are_ignored(user):
    device = totp_device_for(user)
    code = totp_code(device)
    verified = services.second_factor_check(user=user, code=f" {code[:3]} {code[3:]} ")
    assert verified.device.id == device.id
    assert not verified.used_recovery_code


def test_a_totp_code_cannot_be_used_twice(user):
    device = totp_device_for(user)
    code = totp_code(device)
    services.second_factor_check(user=user, code=code)
    with pytest.raises(services.CodeRejected, match="did not match"):
        services.second_factor_check(user=user, code=code)


def test_a_recovery_code_works_once_and_says_how_many_are_left(user):
    totp_device_for(user)
    codes = services.recovery_codes_replace(user=user)
    verified = services.second_factor_check(user=user, code=codes[0].upper())
    assert verified.used_recovery_code
    assert verified.recovery_codes_left == services.RECOVERY_CODE_COUNT - 1
    with pytest.raises(services.CodeRejected, match="already used"):
        services.second_factor_check(user=user, code=codes[0])


def test_new_recovery_codes_replace_the_old_ones(user):
    old = services.recovery_codes_replace(user=user)
    new = services.recovery_codes_replace(user=user)
    start = timezone.now()
    with time_machine.travel(start, tick=False), pytest.raises(services.CodeRejected, match="did not match"):
        services.second_factor_check(user=user, code=old[0])
    # After a wrong code django-otp waits a second before it checks again.
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        assert services.second_factor_check(user=user, code=new[0]).used_recovery_code


def test_after_wrong_codes_checks_pause_and_then_resume(user):
    device = totp_device_for(user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            with pytest.raises(services.CodeRejected):
                services.second_factor_check(user=user, code=_wrong(totp_code(device)))
        # Three failures: the next check must wait 4 seconds, even with the right code.
        with pytest.raises(services.CodeRejected, match="Too many wrong codes"):
            services.second_factor_check(user=user, code=totp_code(device))
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert services.second_factor_check(user=user, code=totp_code(device)).device.id == device.id


def test_someone_else_s_device_never_accepts_a_code(user):
    other = PlanUserFactory()
    other_device = totp_device_for(other)
    with pytest.raises(services.CodeRejected, match="no authenticator app"):
        services.second_factor_check(user=user, code=totp_code(other_device))
    unconfirmed = services.totp_enrolment_device(user=user)
    with pytest.raises(services.CodeRejected, match="expired"):
        services.totp_enrolment_confirm(user=user, device_id=other_device.id, code=totp_code(other_device))
    assert not TOTPDevice.objects.get(pk=unconfirmed.pk).confirmed


def test_reset_removes_the_app_and_the_recovery_codes(user):
    totp_device_for(user)
    services.recovery_codes_replace(user=user)
    assert services.second_factor_reset(user=user) == 2
    assert not services.is_enrolled(user)
    assert not StaticDevice.objects.filter(user=user).exists()


def test_the_reset_command_names_the_person_and_refuses_an_unknown_address(user):
    from io import StringIO

    from django.core.management import CommandError, call_command

    totp_device_for(user)
    out = StringIO()
    call_command("twofactor_reset", user.email.upper(), stdout=out)
    assert f"{user.email}: removed 1 device(s)" in out.getvalue()
    assert not services.is_enrolled(user)
    with pytest.raises(CommandError, match="No account"):
        call_command("twofactor_reset", "nobody@example.test")
