"""Per-test coverage contexts in a coverage data file: who touched what, and keeping some.

coverage.py stores its data in SQLite, in a schema it documents
(``dbschema`` in its docs; version 7 since coverage 5.0): a ``context`` row
per test id (``noxci_select`` names them), and per file and context the
lines (``line_bits``) or arcs (``arc``) executed. Two questions are asked of
it here, in SQL, because the public API answers them one context at a time
(thousands of queries for a large suite):

- :func:`executed_by`: which tests executed each file;
- :func:`keep_tests`: the data of some tests only, for an incremental run to
  reuse (the rest is measured again). Data under no test (what ran while
  pytest collected, which every run repeats) is dropped with the rest.

Any other schema version is :class:`Unusable`: the tests job then runs in
full, which is always correct.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path

__all__ = ["SCHEMA", "Unusable", "executed_by", "keep_tests", "lines_by_test"]

SCHEMA = 7


class Unusable(Exception):
    """The data file cannot be read this way (missing, another schema, corrupt)."""


def _connect(path: Path, *, write: bool) -> sqlite3.Connection:
    if not path.is_file():
        raise Unusable(f"{path}: no coverage data")
    mode = "rw" if write else "ro"
    try:
        con = sqlite3.connect(f"file:{path}?mode={mode}", uri=True)
        row = con.execute("select version from coverage_schema").fetchone()
    except sqlite3.Error as exc:
        raise Unusable(f"{path}: {exc}") from None
    if row is None or row[0] != SCHEMA:
        con.close()
        raise Unusable(f"{path}: coverage data schema {row and row[0]}, not {SCHEMA}")
    return con


def _test_id(context: str, static: str) -> str:
    """The test id of a context (``static|id`` when the project sets a static context)."""
    if static and context.startswith(static + "|"):
        return context[len(static) + 1 :]
    return "" if context == static else context


_TOUCHED = """
    select file.path, context.context from file
    join (select file_id, context_id from line_bits
          union select distinct file_id, context_id from arc) used
      on used.file_id = file.id
    join context on context.id = used.context_id
"""


def executed_by(path: Path, root: Path, *, static: str = "") -> dict[str, set[str]]:
    """Each measured file (relative to ``root`` where inside it) and the tests that executed it."""
    found: dict[str, set[str]] = {}
    base = root.resolve()
    try:
        with closing(_connect(path, write=False)) as con:
            for filename, context in con.execute(_TOUCHED):
                test = _test_id(context, static)
                name = Path(filename)
                try:
                    key = name.resolve().relative_to(base).as_posix()
                except ValueError:
                    key = name.as_posix()
                tests = found.setdefault(key, set())
                if test:
                    tests.add(test)
    except sqlite3.Error as exc:
        raise Unusable(f"{path}: {exc}") from None
    return found


def _numbits(blob: bytes) -> set[int]:
    """The line numbers a numbits blob holds (bit N of the blob: line N)."""
    return {
        index * 8 + bit
        for index, byte in enumerate(blob)
        if byte
        for bit in range(8)
        if byte & (1 << bit)
    }


def lines_by_test(
    path: Path, root: Path, name: str, *, static: str = ""
) -> dict[str, set[int]]:
    """The lines of the project's file ``name`` each test executed (arcs: their ends)."""
    target = (root / name).resolve()
    found: dict[str, set[int]] = {}
    try:
        with closing(_connect(path, write=False)) as con:
            ids = [
                row_id
                for row_id, filename in con.execute("select id, path from file")
                if Path(filename).resolve() == target
            ]
            for file_id in ids:
                rows = con.execute(
                    "select context.context, line_bits.numbits from line_bits"
                    " join context on context.id = line_bits.context_id"
                    " where line_bits.file_id = ?",
                    (file_id,),
                )
                for context, blob in rows:
                    found.setdefault(_test_id(context, static), set()).update(
                        _numbits(blob)
                    )
                rows = con.execute(
                    "select context.context, arc.fromno, arc.tono from arc"
                    " join context on context.id = arc.context_id"
                    " where arc.file_id = ?",
                    (file_id,),
                )
                for context, start, end in rows:
                    found.setdefault(_test_id(context, static), set()).update(
                        {abs(start), abs(end)}
                    )
    except sqlite3.Error as exc:
        raise Unusable(f"{path}: {exc}") from None
    found.pop("", None)
    return found


def keep_tests(path: Path, keep: Collection[str], *, static: str = "") -> None:
    """Delete from ``path`` every context but those of the tests in ``keep``."""
    wanted = set(keep)
    try:
        with closing(_connect(path, write=True)) as con, con:
            kept = [
                (row_id,)
                for row_id, context in con.execute("select id, context from context")
                if (test := _test_id(context, static)) and test in wanted
            ]
            # One pass over each table: a delete per dropped context would
            # scan it once per test (its index leads with the file).
            con.execute("create temp table kept (id integer primary key)")
            con.executemany("insert into kept (id) values (?)", kept)
            con.execute(
                "delete from line_bits where context_id not in (select id from kept)"
            )
            con.execute("delete from arc where context_id not in (select id from kept)")
            con.execute("delete from context where id not in (select id from kept)")
            # A file only the dropped tests touched is not measured any more.
            con.execute(
                "delete from file where id not in (select file_id from line_bits"
                " union select file_id from arc)"
            )
            con.execute("delete from tracer where file_id not in (select id from file)")
    except sqlite3.Error as exc:
        raise Unusable(f"{path}: {exc}") from None
