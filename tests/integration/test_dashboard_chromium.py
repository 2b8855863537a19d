"""The HTML dashboard rendered by a real browser (Debian's headless Chromium)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from noxci.config import Config
from noxci.readiness.trend import trend
from noxci.render.html import html_dashboard
from tests.conftest import MakeConfig
from tests.unit.test_render import HISTORY, _doc, _with_findings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium); .ci/run installs it",
)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dashboard_renders_in_chromium(tmp_path: Path, make_config: MakeConfig) -> None:
    config: Config = make_config("")
    page = tmp_path / "index.html"
    doc = _with_findings(_doc(config))
    page.write_text(html_dashboard(doc, trend(doc, HISTORY, "main")), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<h1>Release readiness: widget</h1>" in dom.stdout
    assert dom.stdout.count("<circle") == 2 * len(
        HISTORY
    )  # the wide and the narrow chart
    shot = tmp_path / "dashboard.png"
    done = _chromium(
        tmp_path, f"--screenshot={shot}", "--window-size=1100,1600", page.as_uri()
    )
    assert done.returncode == 0, done.stderr[-500:]
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1100, 1600)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


@pytest.mark.parametrize("width", [1280, 400])
def test_the_page_fits_the_window_and_shows_one_chart(
    tmp_path: Path, make_config: MakeConfig, width: int
) -> None:
    """The page itself never scrolls sideways (its tables may, inside their cards)."""
    config: Config = make_config("")
    doc = _with_findings(_doc(config))
    (tmp_path / "index.html").write_text(
        html_dashboard(doc, trend(doc, HISTORY, "main")), encoding="utf-8"
    )
    probe = tmp_path / "probe.html"
    probe.write_text(
        f'<iframe id=f src="index.html" width="{width}" height="900"></iframe>'
        "<pre id=out></pre><script>"
        "f.onload=()=>{const d=f.contentDocument;"
        "const shown=[...d.querySelectorAll('svg')].filter(s=>s.getBoundingClientRect().width>0);"
        "out.textContent=d.documentElement.scrollWidth+' '+shown.length+' '"
        "+Math.round(shown[0].getBoundingClientRect().width)};</script>",
        encoding="utf-8",
    )
    dom = _chromium(
        tmp_path,
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
        "--dump-dom",
        probe.as_uri(),
    )
    assert dom.returncode == 0, dom.stderr[-500:]
    [figures] = re.findall(r'<pre id="out">([^<]*)</pre>', dom.stdout)
    scroll_width, charts, chart_width = (int(n) for n in figures.split())
    assert scroll_width <= width
    assert charts == 1
    assert chart_width <= width
