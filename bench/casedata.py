"""Build a large, realistic book of cases for the queue and sweep benchmarks, and remove it.

Rows are written in batches of 10,000 cases with their patients and clocks, one transaction each,
through PostgreSQL's COPY (``bulk_create`` on SQLite), in the shape the services leave them:
every case has its patient and a met historical clock (the filing window); an open case has the
running clock of its stage, with ``Case.next_due_at`` / ``next_clock_name`` set to it as
``case_next_due_refresh`` keeps them; a closed case keeps its met clocks. Nothing here is a
benchmark (no ``@benchmark``).
"""

import io
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from accounts.models import HealthPlan
from complaints.clocks import ClockName
from complaints.models import (
    Case,
    Channel,
    Clock,
    DenialReason,
    Outcome,
    Patient,
    ProblemCategory,
    ReviewUnit,
    Status,
    Track,
)

BATCH = 10_000

# Open cases by stage (weights), with the clock that runs at that stage. None is FILED: the worker
# acknowledges a case within a minute, so a standing book holds none (and the sweep would
# acknowledge them all).
OPEN_STAGES = [
    (Status.ACKNOWLEDGED, 6, ClockName.ELIGIBILITY_NOTICE),
    (Status.RESPONSE_REQUESTED, 14, ClockName.PLAN_RESPONSE),
    (Status.RESPONSE_RECEIVED, 6, ClockName.ELIGIBILITY_NOTICE),
    (Status.TRIAGED_IMR, 5, ClockName.IMR_DECISION),
    (Status.IN_IMR_REVIEW, 25, ClockName.IMR_DECISION),
    (Status.DETERMINATION_RECEIVED, 3, ClockName.IMR_DECISION),
    (Status.TRIAGED_COMPLAINT, 8, ClockName.COMPLAINT_DECISION),
    (Status.IN_COMPLAINT_REVIEW, 25, ClockName.COMPLAINT_DECISION),
    (Status.DECISION_ISSUED, 7, ClockName.IMR_IMPLEMENTATION),
]
CLOSED_STAGES = [(Status.CLOSED, 80), (Status.WITHDRAWN, 8), (Status.PLAN_REVERSED, 7), (Status.REFERRED, 3),
                 (Status.GRIEVANCE_FIRST, 2)]  # fmt: skip
FIRST_NAMES = ["Ana", "Rosa", "Lee", "Sam", "Maria", "John", "Mei", "Omar", "Priya", "Luis", "Grace", "Tran",
               "David", "Linda", "Jose", "Carmen", "Michael", "Jennifer", "Wei", "Fatima", "Hung", "Olga"]  # fmt: skip
# Surnames as in a large population: a few common ones (each about 1.5% of people, as Garcia is in
# California) and a long tail of rare ones.
COMMON_SURNAMES = ["Garcia", "Hernandez", "Lopez", "Martinez", "Rodriguez", "Gonzalez", "Smith", "Nguyen",
                   "Perez", "Sanchez", "Kim", "Ramirez", "Johnson", "Williams", "Flores", "Lee", "Brown",
                   "Torres", "Rivera", "Chen"]  # fmt: skip
SYLLABLES = ["al", "bar", "cas", "del", "en", "far", "gor", "han", "is", "jor", "kel", "lin", "mor", "nav",
             "ol", "pen", "quin", "ros", "sal", "tan", "ur", "val", "wen", "xi", "yor", "zan"]  # fmt: skip


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(COMMON_SURNAMES)
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


CITIES = [("Sacramento", "95814"), ("Fresno", "93721"), ("Oakland", "94607"), ("Los Angeles", "90012")]


@dataclass
class Book:
    """What was built: the id ranges to remove, and counts to report."""

    first_case_id: int
    last_case_id: int
    cases: int
    open_cases: int
    clocks: int
    due: int
    seconds: float


def plans(count: int = 40) -> list[HealthPlan]:
    return [
        HealthPlan.objects.get_or_create(
            name=f"Bench Health Plan {n:02d}", defaults={"notice_email": f"notices@plan{n}.example.test"}
        )[0]
        for n in range(count)
    ]


def build(*, total: int, open_share: float, due: int, now: datetime, seed: int = 20261122) -> Book:
    """``total`` cases, ``open_share`` of them open; exactly ``due`` open cases have a running
    clock due before ``now`` + 20 hours (some overdue), every other running clock later than
    ``now`` + 25 hours (outside the sweep's 24-hour look-ahead)."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (repeatable test data, not secrets)
    plan_ids = [plan.pk for plan in plans()]
    open_total = round(total * open_share)
    due_positions = set(rng.sample(range(open_total), due)) if due else set()
    open_statuses = [status for status, weight, _ in OPEN_STAGES for _ in range(weight)]
    stage_clock = {status: clock for status, _, clock in OPEN_STAGES}
    closed_statuses = [status for status, weight in CLOSED_STAGES for _ in range(weight)]
    first_id = last_id = None
    made = clock_count = 0
    while made < total:
        batch = min(BATCH, total - made)
        case_ids = reserve_ids(Case, batch)
        cases, patients, clocks = [], [], []
        for offset, case_id in enumerate(case_ids):
            i = made + offset
            is_open = i < open_total
            status = rng.choice(open_statuses) if is_open else rng.choice(closed_statuses)
            received_at = now - timedelta(days=rng.uniform(0, 60) if is_open else rng.uniform(60, 5 * 365))
            year = received_at.year
            track = _track(status, rng)
            complaint = track == Track.COMPLAINT
            decided = (received_at - timedelta(days=20)).date()
            case = {
                "id": case_id,
                "number": f"HC-{year}-{case_id:06d}",
                "status": status,
                "track": track,
                "urgent": rng.random() < 0.04,
                "channel": Channel.ONLINE if rng.random() < 0.8 else Channel.PHONE,
                "received_at": received_at,
                "health_plan_id": rng.choice(plan_ids),
                "member_id": f"M{rng.randrange(10**8):08d}",
                "grievance_filed": True,
                "grievance_filed_date": decided - timedelta(days=30),
                "plan_decided": True,
                "plan_decision_date": decided,
                "category": ProblemCategory.BILL if complaint else ProblemCategory.TREATMENT_DENIED,
                "denial_reason": DenialReason.COVERAGE_BILLING if complaint else DenialReason.MEDICAL_NECESSITY,
                "treatment_in_dispute": "Knee replacement surgery",
                "what_happened": "My surgeon ordered a knee replacement. The plan said it is not medically necessary.",
                "desired_outcome": "Approve the surgery.",
                "records_authorized": True,
                "signed_name": "Bench Person",
                "signed_at": received_at,
                "review_unit": ReviewUnit.CLINICAL if status == Status.IN_COMPLAINT_REVIEW else "",
                "outcome": _outcome(status, track),
            }
            if status in (Status.DECISION_ISSUED, Status.CLOSED):
                case["decided_at"] = received_at + timedelta(days=20)
            if is_open:
                name = stage_clock[status]
                hours = rng.uniform(-72, 20) if i in due_positions else rng.uniform(25, 30 * 24)
                due_at = now + timedelta(hours=hours)
                case["next_due_at"], case["next_clock_name"] = due_at, name
                start = min(received_at, due_at - timedelta(hours=1))
                clocks.append({"case_id": case_id, "name": name, "urgent": case["urgent"], "started_at": start,
                               "due_at": due_at})  # fmt: skip
            else:
                case["closed_at"] = received_at + timedelta(days=rng.uniform(5, 40))
                clocks.append({"case_id": case_id, "name": ClockName.ACKNOWLEDGEMENT, "started_at": received_at,
                               "due_at": received_at + timedelta(days=5),
                               "met_at": received_at + timedelta(hours=2)})  # fmt: skip
            window_start = datetime.combine(decided, datetime.min.time(), tzinfo=received_at.tzinfo)
            clocks.append({"case_id": case_id, "name": ClockName.FILING_WINDOW, "started_at": window_start,
                           "due_at": window_start + timedelta(days=183), "met_at": received_at})  # fmt: skip
            city, zip_code = rng.choice(CITIES)
            patients.append({
                "case_id": case_id, "first_name": rng.choice(FIRST_NAMES), "last_name": _surname(rng),
                "gender": Patient.Gender.FEMALE if rng.random() < 0.55 else Patient.Gender.MALE,
                "birth_date": date(1940, 1, 1) + timedelta(days=rng.randrange(80 * 365)),
                "street": f"{rng.randrange(1, 9999)} Main Street", "city": city, "zip_code": zip_code,
                "phone": "916-555-0100", "email": f"patient{i}@example.test",
            })  # fmt: skip
            cases.append(case)
        with transaction.atomic():
            write(Case, cases)
            write(Patient, patients)
            write(Clock, clocks)
        first_id = case_ids[0] if first_id is None else first_id
        last_id = case_ids[-1]
        made += batch
        clock_count += len(clocks)
    analyze("complaints_case", "complaints_patient", "complaints_clock")
    return Book(first_id, last_id, total, open_total, clock_count, due, time.perf_counter() - started)


# ------------------------------------------------------------------------------------------------
# Writing rows: COPY on PostgreSQL, bulk_create elsewhere
# ------------------------------------------------------------------------------------------------
def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for ``count`` new rows (so that patients and clocks can name their case)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _defaults(model) -> dict:
    return {field.attname: field.get_default() for field in model._meta.concrete_fields if not field.primary_key}


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write(model, rows: list[dict]) -> None:
    """Insert ``rows`` (attribute name to value; missing fields take the model's default)."""
    base = _defaults(model)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key or "id" in rows[0]]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{**base, **row}) for row in rows], batch_size=BATCH)
        return
    buffer = io.StringIO()
    for row in rows:
        values = {**base, **row}
        buffer.write("\t".join(_copy_text(values[field.attname]) for field in fields) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)


def _track(status: Status, rng: random.Random) -> Track:
    if status in (Status.TRIAGED_IMR, Status.IN_IMR_REVIEW, Status.DETERMINATION_RECEIVED, Status.DECISION_ISSUED):
        return Track.IMR
    if status in (Status.TRIAGED_COMPLAINT, Status.IN_COMPLAINT_REVIEW):
        return Track.COMPLAINT
    if status == Status.CLOSED:
        return Track.IMR if rng.random() < 0.6 else Track.COMPLAINT
    return Track.UNDECIDED


def _outcome(status: Status, track: Track) -> str:
    if status == Status.DECISION_ISSUED:
        return Outcome.OVERTURNED
    if status == Status.CLOSED:
        return Outcome.UPHELD if track == Track.IMR else Outcome.NOT_IN_FAVOUR
    if status == Status.PLAN_REVERSED:
        return Outcome.PLAN_REVERSED
    return ""


def analyze(*tables: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def remove(*books: Book) -> None:
    """Delete what ``build`` made (and anything a benchmark hung on those cases), then the plans."""
    for book in books:
        bounds = [book.first_case_id, book.last_case_id]
        with transaction.atomic(), connection.cursor() as cursor:
            for table in ("complaints_notice", "complaints_caseevent", "complaints_letter", "complaints_clock",
                          "complaints_patient"):  # fmt: skip
                cursor.execute(f"DELETE FROM {table} WHERE case_id BETWEEN %s AND %s", bounds)  # noqa: S608
            cursor.execute("DELETE FROM complaints_case WHERE id BETWEEN %s AND %s", bounds)
    HealthPlan.objects.filter(name__startswith="Bench Health Plan ").delete()
