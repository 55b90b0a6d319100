"""The shipped packs pass their scenarios with full coverage; mistakes in scenarios are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import ScenarioInvalid
from rules.pack import Pack, shipped_pack_dirs
from rules.scenarios import load_scenarios, run


@pytest.mark.parametrize("directory", shipped_pack_dirs(), ids=lambda p: p.name)
def test_shipped_packs_pass_every_scenario_with_full_coverage(
    directory: Path, packs: dict[str, Pack]
) -> None:
    pack = next(p for p in packs.values() if Path(p.source).parent == directory)
    parent = packs[pack.parent.id] if pack.parent else None
    report = run(pack, load_scenarios(directory / "scenarios"), parent=parent)
    assert [(r.scenario.name, r.problems) for r in report.failures] == []
    assert report.uncovered == []
    assert report.coverage_ratio == 1.0


def test_an_unmet_expectation_is_reported(tmp_path: Path, national: Pack) -> None:
    (tmp_path / "wrong.yaml").write_text(
        """
defaults:
  vacancy: {level: pengawas, reference_date: 2026-03-01}
scenarios:
  - name: expects too much
    profile:
      nip: "199007072015032004"
      birth_date: 1990-07-07
      employment_type: PNS
    expect:
      status: eligible
      criteria: {rank.minimum: pass}
      hints: {rank.minimum: "never"}
""",
        encoding="utf-8",
    )
    report = run(national, load_scenarios(tmp_path))
    (result,) = report.results
    assert not result.ok
    assert "status: expected eligible, got needs_data" in result.problems
    assert "criterion rank.minimum: expected pass, got missing_data" in result.problems
    assert any(p.startswith("hint of rank.minimum") for p in result.problems)
    assert report.coverage_ratio < 1


def test_malformed_scenarios_are_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "scenarios:\n  - name: one\n    expect: {status: eligible, colour: red}\n"
        "  - name: one\n    expect: {status: eligible}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenarios(tmp_path)
    shown = [str(p) for p in caught.value.problems]
    assert any("field scenarios[0] (one).expect" in p and "colour" in p for p in shown)
    assert any("unique name" in p for p in shown)
