"""Pages stay light on a phone: each public and form page with its stylesheet under 100 KB."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import HealthPlanFactory
from filing.tests.answers import fill_draft, step_url

pytestmark = pytest.mark.django_db

LIMIT_BYTES = 100 * 1024
CSS_BYTES = (Path(settings.BASE_DIR) / "static/css/site.css").stat().st_size


def test_every_page_with_its_stylesheet_weighs_under_100_kb(signed_in, plan):
    HealthPlanFactory.create_batch(150)  # a realistic list of plans in the plan step's menu
    draft = fill_draft(signed_in, plan)
    steps = ("who", "patient", "plan", "grievance", "problem", "documents", "review", "sign")
    paths = [step_url(draft, step) for step in steps] + ["/", "/guide/", "/guide/check/", "/contact/", "/my/"]
    heavy = {}
    for path in paths:
        for prefix in ("", "/es"):
            size = len(signed_in.get(prefix + path).content) + CSS_BYTES
            if size >= LIMIT_BYTES:
                heavy[prefix + path] = size
    assert heavy == {}
