"""In a real browser, the Content-Security-Policy is enforced (a script or style injected into the
page does not run) and breaks nothing on the portal's own pages (no violation while they load),
the staff admin's included; and axe-core still runs on them."""

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.models import Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from helpcenter.browser import axe_violations
from twofactor.testing import browser_sign_in_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECT = """() => new Promise((resolve) => {
    const seen = [];
    document.addEventListener("securitypolicyviolation", (event) => seen.push(event.violatedDirective));
    const script = document.createElement("script");
    script.textContent = "window.__injected = true;";
    document.head.appendChild(script);
    const style = document.createElement("style");
    style.textContent = "body { display: none !important; }";
    document.head.appendChild(style);
    setTimeout(() => resolve({
        seen,
        injected: window.__injected === true,
        hidden: getComputedStyle(document.body).display === "none",
    }), 300);
})"""


def _violations_while_loading(page, path: str) -> list[str]:
    messages = []

    def keep(message):
        if "Content Security Policy" in message.text:
            messages.append(message.text)

    page.on("console", keep)
    page.goto(path)
    page.wait_for_load_state("load")
    return messages


def test_the_policy_is_enforced_on_a_public_page_and_in_the_admin(page, live_server):
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    case = drive(file_case(), PATHS[Status.RESPONSE_REQUESTED])
    checked = 0
    for path, signed_in in [("/", False), ("/file/", False), (f"/admin/complaints/case/{case.pk}/change/", True)]:
        if signed_in:
            browser_sign_in_verified(page, staff, base_url=live_server.url)
        assert _violations_while_loading(page, path) == [], path
        result = page.evaluate(INJECT)
        assert result["injected"] is False, path
        assert result["hidden"] is False, path
        assert {"script-src-elem", "style-src-elem"} <= set(result["seen"]), (path, result)
        checked += 1
    assert checked == 3


def test_the_admin_queue_loads_its_scripts_and_styles_and_axe_still_runs(page, live_server):
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    drive(file_case(), PATHS[Status.ACKNOWLEDGED])
    browser_sign_in_verified(page, staff, base_url=live_server.url)
    assert _violations_while_loading(page, "/admin/complaints/case/") == []
    # The admin's own script ran (it marks the page as ready for its JavaScript features).
    assert page.evaluate("() => typeof window.django !== 'undefined' || typeof window.jQuery !== 'undefined'")
    assert isinstance(axe_violations(page), list)
