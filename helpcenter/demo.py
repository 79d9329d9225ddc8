"""Demo data for the embedded run: health plans, one login per role, cases at several stages, and
DMHC's published IMR decisions.

Loaded once: a second call finds the demo supervisor and changes nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import HealthPlan, StaffGroup, User
from complaints.models import Channel, DenialReason, Outcome, ProblemCategory, ReviewUnit
from complaints.services.filing import FilingData, PatientData, case_file
from complaints.services.moves import case_move
from complaints.workflow import MoveInput
from imr.services import SHIPPED_DECISIONS_FILE, decisions_import_file
from review.models import Reviewer, ReviewOrganization
from twofactor.services import TOTP_DEVICE_NAME

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
    DemoLogin("Review organization coordinator (/review/)", "coordinator@pacific-iro.demo.helpcenter.test"),
    DemoLogin("Independent reviewer, orthopedics (/review/)", "ortho@pacific-iro.demo.helpcenter.test"),
    DemoLogin("Independent reviewer, oncology (/review/)", "oncology@pacific-iro.demo.helpcenter.test"),
]
DEMO_REVIEW_ORGANIZATION = "Pacific Independent Review (demo)"


def demo_data_is_loaded() -> bool:
    return User.objects.filter(email=DEMO_LOGINS[0].email).exists()


@transaction.atomic
def demo_data_load() -> bool:
    """Load the demo data unless it is there already. Returns True if it loaded it now."""
    if demo_data_is_loaded():
        return False
    plans = _load_plans()
    _load_people(plans)
    _load_authenticators()
    _load_cases(plans)
    # DMHC's real published IMR decisions, for /decisions/ (see data/imr/README.md).
    decisions_import_file(path=SHIPPED_DECISIONS_FILE)
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
    # An independent review organization: its coordinator and two physician reviewers.
    organization = ReviewOrganization.objects.create(
        name=DEMO_REVIEW_ORGANIZATION,
        contact_name="Grace Park",
        contact_email="cases@pacific-iro.demo.helpcenter.test",
        contact_phone="916-555-0142",
    )
    reviewers = [
        (DEMO_LOGINS[7], "Grace Park", "", False, True),
        (DEMO_LOGINS[8], "Dr. Henry Osei", "Orthopedic surgery", True, False),
        (DEMO_LOGINS[9], "Dr. Mei Lin", "Medical oncology", True, False),
    ]
    for login, name, specialty, reviews, coordinates in reviewers:
        user = User.objects.create_user(login.email, DEMO_PASSWORD, full_name=name, kind=User.Kind.REVIEWER)
        profile = Reviewer(
            user=user,
            organization=organization,
            specialty=specialty,
            reviews_cases=reviews,
            is_coordinator=coordinates,
        )
        profile.full_clean()
        profile.save()


def _load_authenticators() -> None:
    """Staff and plan users sign in with a second factor; the demo gives each an authenticator
    app already set up, whose current code ``manage.py demo_codes`` prints."""
    for login in DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        if not user.is_enrollee:
            TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def demo_codes() -> list[tuple[DemoLogin, str]]:
    """The code each demo staff or plan user's authenticator shows now."""
    codes = []
    for login in DEMO_LOGINS:
        device = TOTPDevice.objects.filter(user__email=login.email, confirmed=True).order_by("id").first()
        if device is not None:
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            codes.append((login, f"{totp.token():0{device.digits}d}"))
    return codes


def _patient(first: str, last: str, gender: str, born: date, city: str, zip_code: str, language: str = "en"):
    return PatientData(
        first_name=first,
        last_name=last,
        gender=gender,
        birth_date=born,
        street="100 Demo Street",
        city=city,
        zip_code=zip_code,
        phone="916-555-0100",
        letter_language=language,
    )


def _file(*, patient: PatientData, channel: str, actor, received_at, filed_by=None, signed_name: str = "", **answers):
    """File a demo case through the real service: signed by the patient, records authorized."""
    data = FilingData(
        patient=patient,
        signed_name=signed_name or f"{patient.first_name} {patient.last_name}",
        records_authorized=True,
        **answers,
    )
    return case_file(data=data, channel=channel, actor=actor, filed_by=filed_by, received_at=received_at)


def _load_cases(plans: dict[str, HealthPlan]) -> None:
    """Cases at several stages, moved through the real services so clocks and timelines are real."""
    now = timezone.now()
    today = timezone.localdate()
    staff = {login.email.split("@")[0]: User.objects.get(email=login.email) for login in DEMO_LOGINS[:4]}
    maria = User.objects.get(email=DEMO_LOGINS[6].email)
    kaiser = plans["Kaiser Foundation Health Plan"]
    blue_shield = plans["Blue Shield of California"]

    def move(case, name, actor, at=None, **data):
        return case_move(case=case, move=name, actor=actor, data=MoveInput(**data), now=at)

    def plan_answered(case):
        for name in ("acknowledge", "request_plan_response", "receive_plan_response"):
            move(case, name, staff["intake"])

    def triaged_for_imr(case):
        plan_answered(case)
        move(case, "triage_imr", staff["intake"], reason="Medical necessity denial; grievance decided.")

    # María's surgery denial: the plan was asked for its response and is late.
    surgery = _file(
        patient=_patient("María", "López", "FEMALE", date(1971, 3, 14), "Fresno", "93721", "es"),
        category=ProblemCategory.TREATMENT_DENIED,
        denial_reason=DenialReason.MEDICAL_NECESSITY,
        treatment_in_dispute="Knee replacement surgery",
        what_happened="My surgeon ordered a knee replacement. The plan said it is not medically necessary.",
        desired_outcome="Approve the surgery.",
        health_plan_id=kaiser.id,
        member_id="K-448812",
        grievance_filed=True,
        grievance_filed_date=today - timedelta(days=60),
        plan_decided=True,
        plan_decision_date=today - timedelta(days=25),
        channel=Channel.ONLINE,
        actor=maria,
        filed_by=maria,
        received_at=now - timedelta(days=9),
    )
    move(surgery, "acknowledge", None, at=now - timedelta(days=9))
    move(surgery, "request_plan_response", staff["intake"], at=now - timedelta(days=8))

    # María's ambulance bill: a Consumer Complaint with the legal unit.
    bill = _file(
        patient=_patient("María", "López", "FEMALE", date(1971, 3, 14), "Fresno", "93721", "es"),
        category=ProblemCategory.BILL,
        denial_reason=DenialReason.COVERAGE_BILLING,
        treatment_in_dispute="Ambulance bill of $1,840",
        what_happened="The plan says the ambulance ride is not covered.",
        desired_outcome="The plan pays the bill.",
        health_plan_id=blue_shield.id,
        member_id="BS-20931",
        grievance_filed=True,
        grievance_filed_date=today - timedelta(days=50),
        plan_decided=True,
        plan_decision_date=today - timedelta(days=30),
        channel=Channel.ONLINE,
        actor=maria,
        filed_by=maria,
        received_at=now - timedelta(days=14),
    )
    plan_answered(bill)
    move(bill, "triage_complaint", staff["intake"], reason="A billing dispute: not for IMR.")
    move(bill, "assign_review", staff["intake"], review_unit=ReviewUnit.LEGAL, assignee=staff["legal"])

    # A phone call just came in about an urgent medicine.
    _file(
        patient=_patient("James", "Whitfield", "MALE", date(1958, 11, 2), "Oakland", "94612"),
        category=ProblemCategory.TREATMENT_DENIED,
        denial_reason=DenialReason.EXPERIMENTAL,
        treatment_in_dispute="Clinical-trial cancer medicine",
        what_happened="The plan called the medicine experimental.",
        desired_outcome="Cover the medicine my oncologist prescribed.",
        signed_name="James Whitfield (by phone)",
        health_plan_id=kaiser.id,
        member_id="K-100233",
        urgent=True,
        urgent_reason="Treatment must start within two weeks.",
        channel=Channel.PHONE,
        actor=staff["intake"],
        received_at=now - timedelta(hours=3),
    )

    # An IMR overturned: Kaiser must carry it out within 5 working days.
    overturned = _file(
        patient=_patient("Ana", "Reyes", "FEMALE", date(1990, 6, 21), "Los Angeles", "90012"),
        category=ProblemCategory.TREATMENT_DENIED,
        denial_reason=DenialReason.MEDICAL_NECESSITY,
        treatment_in_dispute="Residential eating-disorder treatment",
        what_happened="The plan ended coverage of my treatment after two weeks.",
        desired_outcome="Cover the full treatment my doctor recommends.",
        health_plan_id=kaiser.id,
        member_id="K-778120",
        grievance_filed=True,
        grievance_filed_date=today - timedelta(days=75),
        plan_decided=True,
        plan_decision_date=today - timedelta(days=50),
        channel=Channel.MAIL,
        actor=staff["intake"],
        received_at=now - timedelta(days=40),
    )
    triaged_for_imr(overturned)
    move(overturned, "send_to_imr", staff["clinical"])
    move(
        overturned,
        "record_determination",
        staff["clinical"],
        outcome=Outcome.OVERTURNED,
        reason="The reviewers found residential treatment medically necessary for the patient's condition.",
    )
    move(overturned, "issue_imr_decision", staff["clinical"])

    # A spine surgery denial sent to the demo review organization: its coordinator assigns it.
    spine = _file(
        patient=_patient("Daniel", "Ortiz", "MALE", date(1966, 9, 30), "Sacramento", "95816"),
        category=ProblemCategory.TREATMENT_DENIED,
        denial_reason=DenialReason.MEDICAL_NECESSITY,
        treatment_in_dispute="Lumbar spinal fusion surgery",
        what_happened="My surgeon recommends a spinal fusion after a year of therapy. The plan said it is not needed.",
        desired_outcome="Approve the surgery.",
        treating_provider="Dr. Ruth Alvarez, Sutter Spine Center",
        health_plan_id=blue_shield.id,
        member_id="BS-55120",
        grievance_filed=True,
        grievance_filed_date=today - timedelta(days=70),
        plan_decided=True,
        plan_decision_date=today - timedelta(days=35),
        channel=Channel.ONLINE,
        actor=maria,
        filed_by=maria,
        received_at=now - timedelta(days=12),
    )
    triaged_for_imr(spine)
    organization = ReviewOrganization.objects.get(name=DEMO_REVIEW_ORGANIZATION)
    move(
        spine,
        "send_to_imr",
        staff["clinical"],
        extra={"organization": str(organization.pk), "specialty_needed": "Orthopedic surgery"},
    )

    # A plan that DMHC does not regulate: closed and referred.
    employer_plan = plans["Self-funded employer plan (ERISA)"]
    referred = _file(
        patient=_patient("Tom", "Nguyen", "MALE", date(1982, 1, 9), "San Jose", "95113"),
        category=ProblemCategory.BILL,
        denial_reason=DenialReason.COVERAGE_BILLING,
        treatment_in_dispute="Physical therapy bill",
        what_happened="My employer's plan will not pay for therapy.",
        desired_outcome="Pay the bill.",
        health_plan_id=employer_plan.id,
        plan_decided=True,
        grievance_filed=True,
        grievance_filed_date=today - timedelta(days=40),
        plan_decision_date=today - timedelta(days=20),
        channel=Channel.FAX,
        actor=staff["intake"],
        received_at=now - timedelta(days=6),
    )
    move(referred, "acknowledge", None)
    move(
        referred,
        "refer_not_regulated",
        staff["intake"],
        reason="Self-funded employer plans are not regulated by DMHC.",
        referral_to=employer_plan.regulator_name,
    )
