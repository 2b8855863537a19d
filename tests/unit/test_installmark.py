"""An install that would change nothing is skipped; any change installs again."""

from __future__ import annotations

from pathlib import Path

from noxci import installmark

WHAT = {"group": "tests", "project": True, "tools": ["pytest==9.2.0"]}


def _venv(root: Path) -> Path:
    venv = root / ".nox" / "tests"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (site / "pytest-9.2.0.dist-info").mkdir()
    return venv


def test_an_unchanged_install_is_skipped_and_any_change_is_not(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "uv.lock").write_text("version = 1\n")
    venv = _venv(tmp_path)
    key = installmark.install_key(tmp_path, venv, WHAT)
    assert installmark.unchanged(venv, key) is None  # never installed
    installmark.record(venv, key, "the 'tests' group from uv.lock")
    assert installmark.unchanged(venv, key) == "the 'tests' group from uv.lock"

    def changed() -> bool:
        return installmark.install_key(tmp_path, venv, WHAT) != key

    (tmp_path / "uv.lock").write_text("version = 1\n# relocked\n")
    assert changed()
    (tmp_path / "uv.lock").write_text("version = 1\n")
    assert not changed()
    site = next(venv.glob("lib/*/site-packages"))
    (site / "six-1.17.0.dist-info").mkdir()  # installed by hand since
    assert changed()
    (site / "six-1.17.0.dist-info").rmdir()
    assert installmark.install_key(tmp_path, venv, {**WHAT, "tools": []}) != key


def test_without_a_lock_the_install_is_redone_daily(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "tests.txt").write_text("pytest\n")
    venv = _venv(tmp_path)
    today = installmark.install_key(tmp_path, venv, WHAT, today="2026-12-06")
    (tmp_path / "requirements" / "tests.txt").write_text("pytest\nfreezegun\n")
    assert installmark.install_key(tmp_path, venv, WHAT, today="2026-12-06") != today
    (tmp_path / "requirements" / "tests.txt").write_text("pytest\n")
    assert installmark.install_key(tmp_path, venv, WHAT, today="2026-12-06") == today
    assert installmark.install_key(tmp_path, venv, WHAT, today="2026-12-07") != today
