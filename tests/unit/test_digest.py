from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from noxci.digest import (
    DigestError,
    compute_inputs,
    hash_value,
    list_files,
    select_files,
)


def _tree(root: Path) -> None:
    for name, text in {
        "pyproject.toml": "[project]\n",
        "src/pkg/__init__.py": "x = 1\n",
        "tests/test_a.py": "def test(): pass\n",
        "docs/index.md": "# docs\n",
        "reports/lint.json": "{}",
        ".nox/lint/bin/python": "",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _inputs(root: Path, **kw: object) -> object:
    args: dict[str, object] = {
        "include": ["**"],
        "exclude": ["docs/**"],
        "skip_dirs": ["reports"],
        "python": "3.11",
        "args": [],
        "env_names": ["SEED"],
        "env": {},
    }
    args.update(kw)
    return compute_inputs(root, **args)  # type: ignore[arg-type]


def test_walk_without_git_skips_environments(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert list_files(tmp_path) == [
        "docs/index.md",
        "pyproject.toml",
        "reports/lint.json",
        "src/pkg/__init__.py",
        "tests/test_a.py",
    ]


def test_git_listing_respects_gitignore(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".gitignore").write_text("reports/\n.nox/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert "reports/lint.json" not in list_files(tmp_path)
    assert "src/pkg/__init__.py" in list_files(tmp_path)  # untracked but not ignored


def test_select_files_uses_git_globs() -> None:
    files = ["a.py", "src/b.py", "src/c.txt", "docs/d.py"]
    assert select_files(files, ["**/*.py"], ["docs/**"]) == ["a.py", "src/b.py"]
    assert select_files(files, ["*.py"], []) == ["a.py", "src/b.py", "docs/d.py"]


def test_digest_changes_with_content_and_not_with_excluded_files(
    tmp_path: Path,
) -> None:
    _tree(tmp_path)
    first = _inputs(tmp_path)
    (tmp_path / "docs" / "index.md").write_text("changed\n", encoding="utf-8")
    (tmp_path / "reports" / "lint.json").write_text("changed", encoding="utf-8")
    assert _inputs(tmp_path) == first
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("x = 2\n", encoding="utf-8")
    assert _inputs(tmp_path) != first


def test_env_values_are_hashed_never_stored(tmp_path: Path) -> None:
    _tree(tmp_path)
    inputs = _inputs(
        tmp_path, env={"SEED": "secret-value"}, env_names=["SEED", "UNSET"]
    )
    assert inputs.env == {"SEED": hash_value("secret-value"), "UNSET": None}  # type: ignore[attr-defined]
    assert "secret-value" not in str(inputs)


def test_unreadable_file_is_an_error_not_a_guess(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "src" / "link").symlink_to(tmp_path / "src" / "link")  # a loop
    with pytest.raises(DigestError, match="cannot read src/link"):
        _inputs(tmp_path)


def test_deleted_tracked_file_is_part_of_the_digest(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "src"], cwd=tmp_path, check=True)
    before = _inputs(tmp_path)
    (tmp_path / "src" / "pkg" / "__init__.py").unlink()
    assert _inputs(tmp_path) != before


def test_tool_caches_never_count_even_before_their_gitignore(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for name in (
        ".mypy_cache/3.11/x.json",
        "src/pkg/__pycache__/a.pyc",
        "pkg.egg-info/PKG-INFO",
        "build/lib/x.py",
        "src/build/keep.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    files = list_files(tmp_path)
    assert "src/build/keep.py" in files  # a package called build is source
    assert not [
        f
        for f in files
        if f.startswith((".mypy_cache", "build/", "pkg.egg-info")) or "__pycache__" in f
    ]
