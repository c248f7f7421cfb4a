"""The generated stylesheet lays out list rows as a reader expects, measured in headless Chromium.

Rows are taken from the golden fixture's own templates (Django tags replaced by sample text) and
styled by its own site.css; a script in the page measures where each piece landed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from support import REPO_ROOT

APP = REPO_ROOT / "tests" / "fixtures" / "hybrid-all-use-cases" / "everything_app"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

MEASURE = """
<script>
const box = (node) => {
  const range = document.createRange();
  range.selectNodeContents(node);
  const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top};
};
const rows = {};
for (const li of document.querySelectorAll("li[data-row]")) {
  rows[li.dataset.row] = {
    row: box(li),
    parts: [...li.childNodes].filter((n) => n.textContent.trim()).map(
      (n) => ({text: n.textContent.trim(), ...box(n)})
    ),
  };
}
document.body.insertAdjacentHTML("beforeend",
  "<pre id=measured>" + JSON.stringify(rows) + "</pre>");
</script>
"""


def template_row(template: str, contains: str) -> str:
    """The template's `<li>` holding `contains`, with its Django tags turned into sample text."""
    text = (APP / template).read_text(encoding="utf-8")
    (row,) = [li for li in re.findall(r"<li[^>]*>.*?</li>", text, re.S) if contains in li]
    row = re.sub(r"\{%\s*(url|pageurl)\b.*?%\}", "#", row)
    row = re.sub(r"\{%.*?%\}", "", row)
    return re.sub(r"\{\{.*?\}\}", "Sample", row)


def measure(rows: dict[str, str], tmp_path: Path) -> dict[str, dict[str, object]]:
    css = (APP / "static" / "css" / "site.css").read_text(encoding="utf-8")
    items = "".join(row.replace("<li", f'<li data-row="{name}"', 1) for name, row in rows.items())
    page = tmp_path / "page.html"
    page.write_text(
        f"<!doctype html><html><head><meta charset=utf-8><style>{css}</style></head>"
        f'<body><main><ul class="list">{items}</ul></main>{MEASURE}</body></html>',
        encoding="utf-8",
    )
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium (Debian: apt-get install chromium)")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,900",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = re.search(r"<pre id=\"measured\">(.*?)</pre>", dom, re.S)
    assert found, dom[-2000:]
    measured: dict[str, dict[str, object]] = json.loads(found[1].replace("&quot;", '"'))
    return measured


def parts(measured: dict[str, dict[str, object]], row: str) -> list[dict[str, float | str]]:
    found = measured[row]["parts"]
    assert isinstance(found, list)
    return found


def test_list_rows_keep_sentences_together_and_group_what_is_on_the_right(
    tmp_path: Path,
) -> None:
    measured = measure(
        {
            "empty-cms": template_row("cms/templates/cms/home_page.html", "No pages yet"),
            "product": template_row("catalog/templates/catalog/product_list.html", "sold out"),
        },
        tmp_path,
    )
    # "No pages yet: add some in the CMS." reads as one sentence: no gaps wider than a space.
    sentence = parts(measured, "empty-cms")
    assert [part["text"] for part in sentence] == ["No pages yet: add some in the", "CMS", "."]
    for before, after in pairwise(sentence):
        assert float(after["left"]) - float(before["right"]) < 8, sentence
        assert after["top"] == before["top"], sentence
    # A product: its name on the left; price and "sold out" side by side on the right.
    name, price, sold_out = parts(measured, "product")
    row = measured["product"]["row"]
    assert isinstance(row, dict)
    assert sold_out["text"] == "sold out"
    assert float(name["left"]) == row["left"]
    assert float(sold_out["right"]) == pytest.approx(row["right"], abs=1)
    assert float(sold_out["left"]) - float(price["right"]) <= 16.5, (price, sold_out)  # 1rem gap
