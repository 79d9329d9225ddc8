"""Fixtures for the staff admin tests: staff members by group, signed in."""

import pytest
from django.test import Client

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from twofactor.testing import verified_client


def signed_in(user) -> Client:
    """A client in which ``user`` signed in to the admin, second factor included."""
    return verified_client(user)


@pytest.fixture
def supervisor():
    return StaffFactory(groups=[StaffGroup.SUPERVISOR], full_name="Sam Supervisor")


@pytest.fixture
def intake():
    return StaffFactory(groups=[StaffGroup.INTAKE], full_name="Ines Intake")


@pytest.fixture
def clinical():
    return StaffFactory(groups=[StaffGroup.CLINICAL], full_name="Cleo Clinical")


@pytest.fixture
def legal():
    return StaffFactory(groups=[StaffGroup.LEGAL], full_name="Leo Legal")
