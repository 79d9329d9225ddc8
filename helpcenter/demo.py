"""Demo data for the embedded run: health plans, one login per role, and cases at several stages.

Loaded once: a second call finds the demo supervisor and changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import HealthPlan, StaffGroup, User

DEMO_PASSWORD = "demo-helpcenter-2026"  # noqa: S105 (printed for the local demo; never in production)

# Health plans that hold a Knox-Keene license from DMHC (names as the public knows them).
DMHC_REGULATED_PLANS = [
    "Aetna Health of California",
    "Alameda Alliance for Health",
    "Anthem Blue Cross",
    "Blue Shield of California",
    "Chinese Community Health Plan",
    "Cigna HealthCare of California",
    "Community Health Group Partnership Plan",
    "Health Net of California",
    "Health Plan of San Joaquin",
    "Inland Empire Health Plan",
    "Kaiser Foundation Health Plan",
    "L.A. Care Health Plan",
    "Molina Healthcare of California",
    "San Francisco Health Plan",
    "Santa Clara Family Health Plan",
    "Sharp Health Plan",
    "Sutter Health Plus",
    "UnitedHealthcare of California",
    "Valley Health Plan",
    "Western Health Advantage",
]

# Coverage the public often names that DMHC does not regulate, with who does.
NOT_REGULATED_PLANS = [
    ("Original Medicare (not a health plan)", "Medicare, U.S. Centers for Medicare & Medicaid Services"),
    ("Self-funded employer plan (ERISA)", "U.S. Department of Labor"),
    ("Health insurance policy (not an HMO)", "California Department of Insurance"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


DEMO_LOGINS = [
    DemoLogin("Supervisor (staff)", "supervisor@demo.helpcenter.test"),
    DemoLogin("Intake officer (staff)", "intake@demo.helpcenter.test"),
    DemoLogin("Clinical reviewer (staff)", "clinical@demo.helpcenter.test"),
    DemoLogin("Legal analyst (staff)", "legal@demo.helpcenter.test"),
    DemoLogin("Plan user, Kaiser Foundation Health Plan", "compliance@kaiser.demo.helpcenter.test"),
    DemoLogin("Plan user, Blue Shield of California", "compliance@blueshield.demo.helpcenter.test"),
    DemoLogin("Enrollee", "maria.lopez@demo.helpcenter.test"),
]


def demo_data_is_loaded() -> bool:
    return User.objects.filter(email=DEMO_LOGINS[0].email).exists()


@transaction.atomic
def demo_data_load() -> bool:
    """Load the demo data unless it is there already. Returns True if it loaded it now."""
    if demo_data_is_loaded():
        return False
    plans = _load_plans()
    _load_people(plans)
    return True


def _load_plans() -> dict[str, HealthPlan]:
    plans = {}
    for name in DMHC_REGULATED_PLANS:
        slug = name.split()[0].lower().replace(".", "")
        plans[name] = HealthPlan.objects.create(name=name, notice_email=f"imr@{slug}.demo.helpcenter.test")
    for name, regulator in NOT_REGULATED_PLANS:
        plans[name] = HealthPlan.objects.create(name=name, regulated_by_dmhc=False, regulator_name=regulator)
    return plans


def _load_people(plans: dict[str, HealthPlan]) -> None:
    staff = [
        (DEMO_LOGINS[0], "Sam Okafor", StaffGroup.SUPERVISOR),
        (DEMO_LOGINS[1], "Irene Tran", StaffGroup.INTAKE),
        (DEMO_LOGINS[2], "Dr. Carla Mendes", StaffGroup.CLINICAL),
        (DEMO_LOGINS[3], "Luis Herrera", StaffGroup.LEGAL),
    ]
    for login, name, group in staff:
        user = User.objects.create_user(login.email, DEMO_PASSWORD, full_name=name, kind=User.Kind.STAFF, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    User.objects.create_user(
        DEMO_LOGINS[4].email,
        DEMO_PASSWORD,
        full_name="Priya Nair",
        kind=User.Kind.PLAN,
        health_plan=plans["Kaiser Foundation Health Plan"],
    )
    User.objects.create_user(
        DEMO_LOGINS[5].email,
        DEMO_PASSWORD,
        full_name="Tom Becker",
        kind=User.Kind.PLAN,
        health_plan=plans["Blue Shield of California"],
    )
    User.objects.create_user(
        DEMO_LOGINS[6].email,
        DEMO_PASSWORD,
        full_name="María López",
        kind=User.Kind.ENROLLEE,
        preferred_language=User.Language.SPANISH,
    )
