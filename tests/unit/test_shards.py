"""Splitting the tests into shards: the split, the flags, the count."""

from __future__ import annotations

from pathlib import Path

import pytest

from noxci.config import load_config
from noxci.errors import ConfigError
from noxci.jobs.pytest_select import assign, split_digest
from noxci.jobs.shards import Mode, invocation, parse, shard_count
from noxci.readiness.collect import load_reports

TESTS = {
    **{f"tests/test_a.py::t{i}": "tests/test_a.py" for i in range(4)},
    **{f"tests/test_b.py::t{i}": "tests/test_b.py" for i in range(2)},
    "tests/test_c.py::t0": "tests/test_c.py",
    **{f"tests/test_big.py::t{i}": "tests/test_big.py" for i in range(3)},
}


def _loads(split: dict[str, int], durations: dict[str, float], n: int) -> list[float]:
    loads = [0.0] * n
    for test, shard in split.items():
        loads[shard - 1] += durations.get(test, 0.0)
    return loads


def test_modules_stay_whole_and_the_shards_are_balanced_by_time() -> None:
    durations = dict.fromkeys(TESTS, 1.0) | {"tests/test_c.py::t0": 4.0}
    split = assign(TESTS, durations, 2)
    assert set(split) == set(TESTS)
    for module in ("tests/test_a.py", "tests/test_b.py", "tests/test_big.py"):
        assert len({split[t] for t, m in TESTS.items() if m == module}) == 1
    assert _loads(split, durations, 2) == [6.0, 7.0] or _loads(split, durations, 2) == [
        7.0,
        6.0,
    ]


def test_a_module_heavier_than_a_share_is_split_by_test() -> None:
    durations = dict.fromkeys(TESTS, 0.1) | {
        f"tests/test_big.py::t{i}": 10.0 for i in range(3)
    }
    split = assign(TESTS, durations, 3)
    assert sorted(split[f"tests/test_big.py::t{i}"] for i in range(3)) == [1, 2, 3]
    assert max(_loads(split, durations, 3)) <= 10.8


def test_the_split_is_the_same_every_time_and_without_durations_too() -> None:
    first = assign(TESTS, {}, 4)
    assert assign(dict(reversed(TESTS.items())), {}, 4) == first
    assert split_digest(first) == split_digest(assign(TESTS, {}, 4))
    assert set(first.values()) == {1, 2, 3, 4}
    assert split_digest(first) != split_digest(assign(TESTS, {}, 3))


def test_tests_without_a_recorded_duration_count_the_mean() -> None:
    durations = {"tests/test_a.py::t0": 2.0, "tests/test_b.py::t0": 4.0}
    split = assign(TESTS, durations, 2)
    assert len(set(split.values())) == 2


@pytest.mark.parametrize(
    ("args", "rest", "mode"),
    [
        ([], [], Mode()),
        (["-k", "x", "--full"], ["-k", "x"], Mode(full=True)),
        (["--shard", "2/4", "-x"], ["-x"], Mode(shard=(2, 4))),
        (["--shard=1/1"], [], Mode(shard=(1, 1))),
        (["--combine"], [], Mode(combine=True)),
    ],
)
def test_noxcis_own_flags_are_taken_out(
    args: list[str], rest: list[str], mode: Mode
) -> None:
    assert parse(args) == (rest, mode)


@pytest.mark.parametrize(
    "args",
    [
        ["--shard"],
        ["--shard", "5/4"],
        ["--shard", "0/2"],
        ["--shard", "a/b"],
        ["--combine", "-x"],
    ],
)
def test_a_bad_shard_is_a_config_error_saying_the_form(args: list[str]) -> None:
    with pytest.raises(ConfigError, match=r"--shard|--combine"):
        parse(args)


def test_each_invocation_writes_its_own_report_and_counts_its_own_inputs() -> None:
    whole = invocation("tests", "tests", ("-x", "--full"))
    assert (whole.session, whole.args, whole.cache) == ("tests", ("-x",), False)
    shard = invocation("tests", "tests-3.12", ("--shard", "2/4"))
    assert (shard.session, shard.args, shard.cache) == (
        "tests-3.12.shard-2-of-4",
        ("--shard", "2/4"),
        True,
    )
    combined = invocation("tests", "tests-3.11", ("--combine",))
    assert (combined.session, combined.args, combined.cache) == ("tests", (), False)


def test_auto_takes_enough_shards_of_the_minutes_asked() -> None:
    durations = {f"t{i}": 60.0 for i in range(25)}  # 25 minutes in all
    assert shard_count("auto", 10.0, durations) == 3
    assert shard_count("auto", 10.0, {}) == 1
    assert shard_count(4, 10.0, durations) == 4


@pytest.mark.parametrize(
    ("config", "hint"),
    [
        (
            '[tool.noxci]\npython = ["3.11", "3.12"]\n',
            "run `nox -s tests` then `nox -s tests-3.11 -- --combine`, or `nox -s preflight`",
        ),
        ("[tool.noxci.tests]\nshards = 2\n", "run `nox -s tests` (it combines"),
        ("", "run `nox -s tests`"),
    ],
)
def test_a_missing_tests_report_names_the_command_that_makes_it(
    tmp_path: Path, config: str, hint: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.11"\n' + config
    )
    loaded = load_reports(load_config(tmp_path), ["tests"])["tests"]
    assert [x.problem.kind for x in loaded if x.problem] == ["missing"]
    assert loaded[0].problem is not None
    assert hint in loaded[0].problem.message
