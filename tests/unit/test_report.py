from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from noxci.errors import ReportError
from noxci.report import (
    Finding,
    Report,
    Severity,
    Status,
    checksum,
    read_report,
    write_report,
)
from tests.conftest import make_inputs, make_report


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    report = make_report(
        findings=(
            Finding(
                tool="ruff",
                rule="F401",
                severity=Severity.HIGH,
                message="unused",
                path="a.py",
                line=3,
            ),
        ),
        artifacts={"ruff-json": "reports/lint.ruff.json"},
        details={"formatter": "black"},
    )
    path = tmp_path / "lint.json"
    write_report(path, report)
    assert read_report(path) == report
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1
    assert data["inputs_digest"] == report.inputs.digest


def test_digest_depends_on_every_input() -> None:
    base = make_inputs()
    variants = [
        make_inputs(files="b" * 64),
        make_inputs(python="3.12"),
        make_inputs(args=("-k", "x")),
        make_inputs(env={"PYTHONHASHSEED": "c" * 64}),
        make_inputs(file_count=4),
    ]
    digests = {base.digest, *(v.digest for v in variants)}
    assert len(digests) == len(variants) + 1
    assert make_inputs().digest == base.digest


def test_as_cached_keeps_the_duration() -> None:
    report = make_report(duration_s=12.0)
    cached = report.as_cached()
    assert cached.cached is True
    assert cached.duration_s == 12.0
    assert cached.inputs_digest == report.inputs_digest


def test_writer_refuses_an_invalid_report(tmp_path: Path) -> None:
    bad = make_report(metrics={"ruff_findings": -1, "format_unformatted": 0})
    path = tmp_path / "lint.json"
    with pytest.raises(
        ReportError, match="ruff_findings: -1 is less than the minimum of 0"
    ):
        write_report(path, bad)
    assert not path.exists()


def test_error_status_needs_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="error: None is not of type 'string'"):
        write_report(tmp_path / "x.json", make_report(status=Status.ERROR, metrics={}))
    with pytest.raises(ReportError, match="error: 'boom' is not of type 'null'"):
        write_report(tmp_path / "x.json", make_report(error="boom"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _valid_dict() -> dict[str, object]:
    return make_report().to_dict()


def _resealed(**changes: object) -> dict[str, object]:
    """A report dict with ``changes`` applied and a checksum that matches."""
    data = {**_valid_dict(), **changes}
    data["checksum"] = checksum(data)
    return data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not valid JSON"),
        ('{"schema_version": 1, "session": "lint"', "not valid JSON"),
        ("[]", "[] is not of type 'object'"),
        (
            json.dumps({**_valid_dict(), "schema_version": 2}),
            "schema_version 2 is not 1",
        ),
        (
            json.dumps({**_valid_dict(), "status": "great"}),
            "status: 'great' is not one of",
        ),
        (
            json.dumps({k: v for k, v in _valid_dict().items() if k != "metrics"}),
            "'metrics' is a required property",
        ),
        (
            json.dumps({**_valid_dict(), "duration_s": "NaN"}).replace('"NaN"', "NaN"),
            "NaN is not valid JSON",
        ),
        (
            json.dumps({**_valid_dict(), "duration_s": 12345}).replace(
                "12345", "1e999"
            ),
            "out of range",
        ),
        (
            json.dumps(_resealed(inputs_digest="0" * 64)),
            "inputs_digest does not match its inputs",
        ),
    ],
)
def test_reader_rejects_bad_files_with_file_and_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = _write(tmp_path / "lint.json", text)
    with pytest.raises(ReportError) as info:
        read_report(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_reader_rejects_tests_report_with_coverage_over_100(tmp_path: Path) -> None:
    data = make_report(
        session="tests",
        job="tests",
        metrics={
            "tests_total": 1,
            "tests_passed": 1,
            "tests_failed": 0,
            "tests_skipped": 0,
            "tests_errors": 0,
            "tests_flaky": 0,
            "coverage_percent": 101.0,
            "coverage_min": 80.0,
        },
    ).to_dict()
    data["metrics"]["coverage_percent"] = 101.0
    data["checksum"] = checksum(data)
    path = _write(tmp_path / "tests.json", json.dumps(data))
    with pytest.raises(
        ReportError,
        match=r"coverage_percent: 101\.0 is greater than the maximum of 100",
    ):
        read_report(path)


def test_missing_and_unreadable_reports(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"absent\.json: no such file$"):
        read_report(tmp_path / "absent.json")
    directory = tmp_path / "dir.json"
    directory.mkdir()
    with pytest.raises(ReportError, match="a directory, not a regular file"):
        read_report(directory)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ReportError, match=r"not UTF-8 text \(byte 0\)"):
        read_report(binary)


def test_write_is_atomic_and_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lint.json"
    write_report(path, make_report(summary="first"))

    def exploding_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", exploding_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report(path, make_report(summary="second"))
    assert read_report(path).summary == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lint.json"]


def test_status_final() -> None:
    assert Status.PASSED.final
    assert Status.FAILED.final
    assert not Status.ERROR.final
    assert not Status.SKIPPED.final


def test_report_from_dict_is_frozen() -> None:
    report = Report.from_dict(_valid_dict())
    with pytest.raises(AttributeError):
        report.status = Status.FAILED  # type: ignore[misc]


def test_any_change_after_writing_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "tests.json"
    write_report(path, make_report(summary="ruff: 0 finding(s)"))
    path.write_text(
        path.read_text().replace('"ruff_findings": 0', '"ruff_findings": 1')
    )
    with pytest.raises(ReportError, match="checksum does not match its content"):
        read_report(path)


def test_reformatting_keeps_a_report_valid(tmp_path: Path) -> None:
    path = tmp_path / "lint.json"
    write_report(path, make_report())
    path.write_text(json.dumps(json.loads(path.read_text())))  # compact, same content
    assert read_report(path) == make_report()


@pytest.mark.parametrize("name", ["report", "config", "readiness"])
def test_shipped_schemas_are_valid_json_schema(name: str) -> None:
    import jsonschema

    from noxci.schema import load_schema

    schema = load_schema(name)
    jsonschema.validators.validator_for(schema).check_schema(schema)
