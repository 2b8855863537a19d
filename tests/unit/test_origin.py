"""The requirement ``noxci init`` names in the noxfile's PEP 723 block."""

from __future__ import annotations

import json
import tomllib

import pytest

from noxci.origin import Origin, installed_origin, origin_from, script_block


def _direct(url: str, **info: object) -> str:
    return json.dumps({"url": url, **info})


@pytest.mark.parametrize(
    ("direct_url", "requirement", "local"),
    [
        (None, "noxci==1.2.3", False),
        ("", "noxci==1.2.3", False),
        ("not json", "noxci==1.2.3", False),
        ('{"url": 3}', "noxci==1.2.3", False),
        (
            _direct(
                "https://github.com/noxci/noxci",
                vcs_info={"vcs": "git", "requested_revision": "v1.2.3", "commit_id": "a" * 40},
            ),
            "noxci @ git+https://github.com/noxci/noxci@v1.2.3",
            False,
        ),
        (  # no revision asked for: none written (nox would not match a commit)
            _direct("https://github.com/noxci/noxci", vcs_info={"vcs": "git", "commit_id": "a" * 40}),
            "noxci @ git+https://github.com/noxci/noxci",
            False,
        ),
        (
            _direct("file:///src/noxci", vcs_info={"vcs": "git", "commit_id": "a" * 40}),
            "noxci @ git+file:///src/noxci",
            True,
        ),
        (
            _direct("https://example.org/noxci-1.2.3-py3-none-any.whl", archive_info={}),
            "noxci @ https://example.org/noxci-1.2.3-py3-none-any.whl",
            False,
        ),
        (
            _direct("file:///home/me/noxci", dir_info={"editable": True}),
            "noxci @ file:///home/me/noxci",
            True,
        ),
    ],
)  # fmt: skip
def test_the_requirement_is_the_origin_as_installed(
    direct_url: str | None, requirement: str, local: bool
) -> None:
    assert origin_from("1.2.3", direct_url) == Origin(requirement, local=local)


def test_the_running_noxci_has_an_origin() -> None:
    origin = installed_origin()
    assert origin.requirement.startswith("noxci")
    # This checkout is installed editable from a directory.
    assert origin.local == ("file:" in origin.requirement)
    assert origin.requires_python == ">=3.11"  # noxci's own, from its metadata


def test_the_block_is_pep_723_that_nox_reads() -> None:
    block = script_block(Origin("noxci @ git+https://x/y@v1", requires_python=">=3.11"))
    lines = block.splitlines()
    assert lines[0] == "# /// script"
    assert lines[-1] == "# ///"
    # PEP 723's reference reader: strip "# " and parse the TOML between.
    toml = tomllib.loads("\n".join(line[2:] for line in lines[1:-1]))
    assert toml == {
        "requires-python": ">=3.11",
        "dependencies": ["nox>=2026.10.20", "noxci @ git+https://x/y@v1"],
    }
    assert "requires-python" not in script_block(Origin("noxci==1"))
