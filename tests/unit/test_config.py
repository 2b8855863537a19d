from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from noxci.config import Config, find_root, load_config, python_versions
from noxci.errors import ConfigError
from noxci.jobs.tests import Settings as TestsSettings

MakeConfig = Callable[[str], Config]


def test_defaults_follow_the_seed(make_config: MakeConfig) -> None:
    config = make_config("")
    assert config.python == ("3.11",)
    assert config.readiness.weights == {
        "ci": 40.0,
        "coverage": 30.0,
        "security": 20.0,
        "quality": 10.0,
    }
    assert config.readiness.bands == {"excellent": 95.0, "good": 90.0, "fair": 80.0}
    assert config.readiness.threshold == 90.0
    assert config.readiness.ci_runs == 10
    assert config.settings("tests", TestsSettings).reruns == 2
    assert config.settings("tests", TestsSettings).reruns_delay == 1.0
    assert config.settings("tests", TestsSettings).coverage_min is None
    assert config.job("lint").blocking is True
    assert config.job("typecheck").blocking is False
    assert config.job("tests").inputs == ("**",)
    assert config.reports_dir == config.root / "reports"


def test_user_values_override_key_by_key(make_config: MakeConfig) -> None:
    config = make_config("""
        [tool.noxci]
        python = ["3.12", "3.13"]

        [tool.noxci.tests]
        coverage-min = 92.5
        workers = 0

        [tool.noxci.readiness.weights]
        ci = 25
        coverage = 25
        security = 25
        quality = 25
        """)
    assert config.python == ("3.12", "3.13")
    assert config.settings("tests", TestsSettings).coverage_min == 92.5
    assert config.settings("tests", TestsSettings).workers == 0
    assert (
        config.settings("tests", TestsSettings).reruns == 2
    )  # untouched keys keep their defaults
    assert config.readiness.weights["ci"] == 25.0


def test_unknown_key_suggests_the_closest(make_config: MakeConfig) -> None:
    with pytest.raises(ConfigError) as info:
        make_config("[tool.noxci.tests]\ncoverge-min = 90\n")
    assert str(info.value) == (
        "pyproject.toml: [tool.noxci.tests] has unknown key 'coverge-min'; "
        "did you mean 'coverage-min'?"
    )


def test_unknown_top_level_key_without_a_close_match_lists_the_keys(
    make_config: MakeConfig,
) -> None:
    with pytest.raises(
        ConfigError,
        match=r"\[tool.noxci\] has unknown key 'zzz'; known keys: build, default-branch",
    ):
        make_config("[tool.noxci]\nzzz = 1\n")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[tool.noxci.tests]\ncoverage-min = 120\n",
            "pyproject.toml: [tool.noxci.tests] coverage-min: 120 is greater than the maximum of 100",
        ),
        (
            "[tool.noxci.lint]\nblocking = 'yes'\n",
            "pyproject.toml: [tool.noxci.lint] blocking: 'yes' is not of type 'boolean'",
        ),
        (
            "[tool.noxci]\npython = ['python3']\n",
            "pyproject.toml: [tool.noxci] python[0]: 'python3' does not match '^3\\\\.[0-9]+$'",
        ),
        (
            "[tool.noxci.readiness.weights]\nci = 50\n",
            "pyproject.toml: [tool.noxci.readiness.weights] must sum to 100, not 110",
        ),
        (
            "[tool.noxci.readiness.bands]\nexcellent = 85\n",
            "pyproject.toml: [tool.noxci.readiness.bands] must satisfy excellent >= good >= fair",
        ),
        (
            "[tool.noxci.readiness]\nthreshold = -1\n",
            "pyproject.toml: [tool.noxci.readiness] threshold: -1 is less than the minimum of 0",
        ),
        (
            "[tool.noxci.readiness.quality]\nlint = 50\n",
            "pyproject.toml: [tool.noxci.readiness.quality] lint + typecheck + docs must sum to 100, not 110",
        ),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_key(
    make_config: MakeConfig, toml: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(toml)
    assert str(info.value) == expected
    assert "\n" not in str(info.value)


def test_noxci_must_be_a_table(make_config: MakeConfig) -> None:
    with pytest.raises(ConfigError, match=r"\[tool.noxci\] must be a table"):
        make_config("[tool]\nnoxci = 3\n")


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.noxci\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)


def test_find_root_walks_up_and_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_root(nested) == tmp_path
    lonely = tmp_path.parent / f"{tmp_path.name}-lonely"
    lonely.mkdir()
    with pytest.raises(ConfigError, match=r"no pyproject\.toml"):
        find_root(lonely)


def test_python_versions_is_lenient_for_nox_list(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.noxci]\npython = 3.11\n", encoding="utf-8"
    )
    assert python_versions(tmp_path) == ("3.11",)


def test_job_lookup(make_config: MakeConfig) -> None:
    config = make_config("")
    assert config.job("tests") is config.jobs["tests"]
    assert isinstance(config.settings("tests", TestsSettings), TestsSettings)
    with pytest.raises(ConfigError, match="unknown job 'nope'"):
        config.job("nope")
