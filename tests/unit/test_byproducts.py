"""Build by-products (egg-info, build/) a session leaves are kept out of git status."""

from __future__ import annotations

from pathlib import Path

from noxci import byproducts
from tests.conftest import git


def _repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")


def _status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


def test_an_egg_info_the_session_made_is_ignored_and_kept(tmp_path: Path) -> None:
    _repo(tmp_path)
    (tmp_path / "notes.txt").write_text("the user's own untracked file\n")
    (tmp_path / "old.egg-info").mkdir()  # the user's, before the session
    (tmp_path / "old.egg-info" / "PKG-INFO").write_text("x")
    before = byproducts.untracked(tmp_path)
    assert before == frozenset({"old.egg-info"})

    made = tmp_path / "src" / "pkg.egg-info"
    made.mkdir()
    (made / "PKG-INFO").write_text("Metadata-Version: 2.4\n")
    (tmp_path / "build" / "lib").mkdir(parents=True)
    (tmp_path / "build" / "lib" / "x.py").write_text("")

    assert byproducts.hide_new(tmp_path, before) == ["build", "src/pkg.egg-info"]
    assert (made / "PKG-INFO").is_file()  # kept: a parallel build may need it
    # What was untracked before the session still is; nothing else shows.
    assert _status(tmp_path).splitlines() == [
        "?? notes.txt",
        "?? old.egg-info/PKG-INFO",
    ]


def test_outside_git_nothing_is_touched(tmp_path: Path) -> None:
    (tmp_path / "x.egg-info").mkdir()
    before = byproducts.untracked(tmp_path)
    assert before is None
    assert byproducts.hide_new(tmp_path, before) == []
    assert not (tmp_path / "x.egg-info" / ".gitignore").exists()
