"""``flask registry import`` and ``flask demo seed``: exit codes, problem lines, summaries."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.support.registry_files import AHMAD, VALID_SET, replace_line, table_counts, write_set


def lines(output: str) -> str:
    """Return the output with runs of spaces squeezed, so tests do not depend on alignment."""
    return "\n".join(" ".join(line.split()) for line in output.splitlines())


def test_import_prints_a_summary_and_exits_zero(runner: FlaskCliRunner, tmp_path: Path) -> None:
    directory = write_set(tmp_path / "set")
    result = runner.invoke(args=["registry", "import", str(directory)])
    assert result.exit_code == 0, result.output
    assert "employees: 3 created 0 changed 0 unchanged" in lines(result.output)
    assert "rows: 33 read 33 written 0 rejected" in lines(result.output)
    again = runner.invoke(args=["registry", "import", str(directory), "--workers", "1"])
    assert again.exit_code == 0
    assert "employees: 0 created 0 changed 3 unchanged" in lines(again.output)


def test_import_of_single_files_works_too(runner: FlaskCliRunner, tmp_path: Path) -> None:
    directory = write_set(tmp_path / "set")
    paths = [str(directory / name) for name in ("tenants.csv", "positions.csv")]
    result = runner.invoke(
        args=["registry", "import", *paths, str(directory / "position_competencies.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "positions: 2 created" in lines(result.output)


def test_rejected_import_prints_one_problem_per_line_and_exits_one(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bad = replace_line(
        "employees.csv", 2, VALID_SET["employees.csv"].splitlines()[1].replace(AHMAD, AHMAD[:-1])
    )
    trainings = VALID_SET["trainings.csv"].replace(",", ";")
    directory = write_set(tmp_path / "set", {"employees.csv": bad, "trainings.csv": trainings})
    result = runner.invoke(args=["registry", "import", str(directory)])
    assert result.exit_code == 1
    printed = result.stderr.splitlines()
    assert printed[0] == "employees.csv:2 nip: NIP must be 18 digits; it has 17 digits"
    assert (
        "trainings.csv:1: the columns are separated by semicolons (;); "
        "separate them with commas (,)" in printed
    )
    assert printed[-1].startswith("import rejected: ")
    assert printed[-1].endswith("; nothing was written")
    assert set(table_counts(app.extensions["meritflow"].db).values()) == {0}


def test_a_missing_path_is_an_error(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["registry", "import", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nowhere'}: not found\n"


def test_demo_seed_loads_through_the_import_and_respects_if_empty(
    app: Flask, runner: FlaskCliRunner
) -> None:
    args = ["demo", "seed", "--employees", "60", "--seed", "4", "--as-of", "2026-06-30"]
    result = runner.invoke(args=[*args, "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "employees: 60 created" in lines(result.output)
    assert table_counts(app.extensions["meritflow"].db)["employee"] == 60
    skipped = runner.invoke(args=[*args, "--if-empty"])
    assert skipped.exit_code == 0
    assert "already registered" in skipped.output
    again = runner.invoke(args=args)
    assert "employees: 0 created 0 changed 60 unchanged" in lines(again.output)


def test_demo_seed_writes_files_with_out(runner: FlaskCliRunner, tmp_path: Path) -> None:
    args = ["demo", "seed", "--employees", "30", "--seed", "8", "--as-of", "2026-06-30"]
    result = runner.invoke(args=[*args, "--out", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote 30 employees (")
    assert sorted(path.name for path in (tmp_path / "csv").iterdir()) == sorted(VALID_SET.keys())
    jsonl = runner.invoke(args=[*args, "--out", str(tmp_path / "json"), "--format", "jsonl"])
    assert jsonl.exit_code == 0
    assert sorted(path.name for path in (tmp_path / "json").iterdir()) == [
        "employees.jsonl",
        "position_competencies.csv",
        "positions.csv",
        "tenants.csv",
    ]
