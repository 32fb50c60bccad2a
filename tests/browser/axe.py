"""axe-core in the browser tests: the WCAG 2.2 A and AA rules, run on a page as it stands.

axe-core is a test-only npm package (package.json's devDependencies, installed by scripts/js_checks.sh, which
both lanes of scripts/test.sh run first). Its script is handed to the page by Playwright from node_modules, after
the page has loaded, through the DevTools protocol (page.evaluate, which the page's Content-Security-Policy does
not govern): the app never serves it, and the policy is not loosened for it (an injected <script> tag would be
refused by `script-src 'self'`, rightly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# Every rule of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core tags its rules by the criterion's version).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ')),
  }));
}"""


def axe_script() -> Path:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `bash scripts/js_checks.sh`, which installs the "
            "test-only npm packages of package-lock.json into node_modules.",
            pytrace=False,
        )
    return AXE


_SOURCE: list[str] = []


def _source() -> str:
    if not _SOURCE:
        _SOURCE.append(axe_script().read_text(encoding="utf-8") + "\n;typeof window.axe")
    return _SOURCE[0]


def violations(page: Any) -> list[str]:
    """The WCAG A/AA violations axe-core finds on the page now, one readable line per rule (empty when none)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_source())
    found: list[dict[str, Any]] = page.evaluate(RUN, TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} -- " + " | ".join(v["nodes"]) for v in found]


def assert_no_violations(page: Any, where: str) -> None:
    found = violations(page)
    assert found == [], f"axe-core, {where}:\n  " + "\n  ".join(found)
