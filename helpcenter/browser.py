"""Browser tests' support: Debian's Chromium driven by Playwright, and axe-core's checks.

Playwright's own browser downloads are never used (no ``playwright install``): the tests launch
the ``chromium`` package that ``make setup`` installs. axe-core comes from node_modules, pinned in
package-lock.json. Screenshots go to test-artifacts/ (git-ignored).
"""

import json
import re
import shutil
from pathlib import Path

from django.conf import settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts"


class BrowserUnavailable(Exception):
    """Chromium or axe-core is not installed (run ``make setup``)."""


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise BrowserUnavailable("The Debian package chromium is not installed: run make setup.")
    return path


def chromium_launch(playwright, **options):
    """Start Debian's Chromium headless with the flags the tests need in a container."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS, **options)


def axe_violations(page, *, context=None) -> list[dict]:
    """Run axe-core on the page as it is now and return its violations (empty: none).

    Every rule axe enables by default runs, WCAG 2.0-2.2 A and AA and best practices included.
    """
    if not AXE_SCRIPT.exists():
        raise BrowserUnavailable("node_modules/axe-core is missing: run make setup (npm ci).")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
        # govern: a <script> tag added to the page would be refused by it, as it should be.
        page.evaluate(_axe_source())
    return page.evaluate(
        "async (context) => (await axe.run(context || document, {resultTypes: ['violations']})).violations",
        context,
    )


def _axe_source() -> str:
    # Run as a function body so that axe's UMD wrapper sets window.axe, whatever it returns.
    return "() => {\n" + AXE_SCRIPT.read_text(encoding="utf-8") + "\n}"


def violations_text(violations: list[dict]) -> str:
    """A readable list of violations for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def screenshot(page, name: str, *, folder: str = "") -> Path:
    """Save a full-page screenshot under test-artifacts/<folder>/<name>.png and return its path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    directory = ARTIFACTS_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "-", folder) if folder else ARTIFACTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, name: str, *, folder: str = "") -> None:
    """Screenshot the page, then fail with axe's findings if it has any violation."""
    screenshot(page, name, folder=folder)
    violations = axe_violations(page)
    if violations:
        raise AssertionError(f"axe found problems on {name} ({page.url}):\n{violations_text(violations)}")
