"""Security headers on every kind of page, a Content-Security-Policy that lets through exactly the
page's own inline style (by nonce or by hash) and nothing else, and `manage.py check --deploy`
with production settings reporting nothing."""

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import django.contrib.admin
import pytest
from django.conf import settings

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, StaffFactory
from complaints.models import Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from helpcenter.tests import counts
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db

_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_HANDLER_OR_STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\s(on[a-z]+|style)\s*=", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def inline_blocks_refused(response) -> list[str]:
    """The page's inline <script> and <style> blocks that its own policy would refuse."""
    directives = policy(response)
    refused = []
    for tag, attributes, body in _INLINE.findall(response.content.decode()):
        if tag.lower() == "script" and "src=" in attributes:
            continue
        allowed = directives.get(f"{tag.lower()}-src", directives["default-src"])
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        digest = "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        if not ((nonce and f"'nonce-{nonce.group(1)}'" in allowed) or digest in allowed):
            refused.append(f"<{tag}{attributes}>{body[:60]}")
    return refused


@pytest.fixture
def pages():
    """(client, path) for a page of every kind: public, enrollee, plan, staff, sign-in, errors."""
    case = drive(file_case(), PATHS[Status.RESPONSE_REQUESTED])
    enrollee = verified_client(case.filed_by)
    plan = verified_client(PlanUserFactory(health_plan=case.health_plan))
    staff = verified_client(StaffFactory(groups=[StaffGroup.SUPERVISOR]))
    anonymous = verified_client(EnrolleeFactory())
    anonymous.logout()
    return [
        (anonymous, "/"),
        (anonymous, "/es/guide/"),
        (anonymous, "/decisions/"),
        (anonymous, "/file/"),
        (anonymous, "/account/signin/"),
        (anonymous, "/plan/login/"),
        (anonymous, "/admin/login/"),
        (anonymous, "/no-such-page/"),
        (enrollee, "/my/"),
        (enrollee, f"/my/{case.number}/"),
        (plan, "/plan/"),
        (plan, f"/plan/cases/{case.number}/"),
        (staff, "/admin/"),
        (staff, "/admin/complaints/case/"),
        (staff, f"/admin/complaints/case/{case.pk}/change/"),
        (staff, "/admin/complaints/case/add/"),
        (staff, "/admin/complaints/case/dashboard/"),
        (staff, "/admin/audit/auditevent/"),
        (staff, "/admin/accounts/user/"),
    ]


def test_every_kind_of_page_carries_the_security_headers(pages):
    for client, path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        directives = policy(response)
        assert directives["default-src"] == ["'none'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["base-uri"] == ["'none'"], path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path


def test_each_page_s_inline_styles_and_scripts_are_exactly_those_its_policy_allows(pages):
    checked = 0
    for client, path in pages:
        response = client.get(path)
        assert inline_blocks_refused(response) == [], path
        # Inline event handlers and style attributes would be refused by the policy: none are used.
        assert not _HANDLER_OR_STYLE_ATTRIBUTE.search(response.content.decode()), path
        checked += len(_INLINE.findall(response.content.decode()))
    assert checked > 0  # the admin's own inline styles were among them


def test_a_nonce_is_new_on_every_response(pages):
    client, path = next((c, p) for c, p in pages if p == "/admin/complaints/case/")
    nonces = {re.search(r"'nonce-([^']+)'", client.get(path)["Content-Security-Policy"]).group(1) for _ in range(3)}
    assert len(nonces) == 3


def test_the_admin_inline_style_hash_matches_django_s_template():
    template = Path(django.contrib.admin.__file__).parent / "templates/admin/change_list.html"
    body = re.search(r"<style>(.*?)</style>", template.read_text(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.ADMIN_CHANGE_LIST_STYLE_HASH


def test_files_are_served_with_a_policy_of_their_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from complaints.models import Document
    from complaints.services.documents import document_add
    from complaints.tests.samples import PDF

    case = file_case()
    document = document_add(
        case=case, name="bill.pdf", data=PDF, kind=Document.Kind.BILL,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip
    response = verified_client(case.filed_by).get(f"/my/{case.number}/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")


# ---- production settings ---------------------------------------------------------------------
PRODUCTION = {
    "DEBUG": "False",
    "ALLOWED_HOSTS": "helpcenter.example.gov",
    "DATABASE_URL": "postgres://helpcenter:secret@db.internal:5432/helpcenter",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "helpcenter-files",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.internal:587",
    "CSRF_TRUSTED_ORIGINS": "https://helpcenter.example.gov",
}


def _manage(*args: str, tmp_path) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    environment.update(
        PRODUCTION,
        SECRET_KEY=secrets.token_urlsafe(64),
        HELPCENTER_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="helpcenter.settings",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", tmp_path=tmp_path)
    counts.report(f"check --deploy with production settings: {result.stdout.strip()} {result.stderr.strip()}".strip())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_are_the_strict_ones(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS, "
        "s.TRUSTED_PROXIES)"
    )
    result = _manage("shell", "-c", code, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    values = result.stdout.strip().splitlines()[-1].split()
    assert values == ["31536000", "True", "True", "True", "True", "True", "DENY", "[]"]
