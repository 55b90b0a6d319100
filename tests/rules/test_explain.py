"""Explanations show every criterion with expected and actual values, citations and hints."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rules.errors import PackInvalid, PackNotEffective
from rules.explain import explain
from rules.pack import Pack
from tests.support.rules import candidate, vacancy


def test_an_eligible_candidate(national: Pack) -> None:
    result = explain(national, vacancy(), candidate())
    data = result.to_dict()
    json.dumps(data)  # plain JSON all the way down
    assert data["status"] == "eligible"
    assert data["failed"] == data["missing"] == data["flags"] == []
    assert data["pack"] == {"id": "bkn-national", "version": "2026.1.0", "digest": national.digest}
    assert data["engine"] == "durable_rules 2.0.28"
    assert [c["id"] for c in data["criteria"]] == [c.id for c in national.criteria]
    assert data["box"]["number"] == 9
    assert data["box"]["talent_pool"] is True
    assert data["jpm"] == {
        "percent": "91.50",
        "category": {"id": "Optimal", "en": "Optimal"},
        "source": "recorded",
    }
    assert data["axes"]["performance"]["value"] == "di_atas"
    assert data["succession"]["readiness"] == {"id": "Siap Sekarang", "en": "Ready now"}
    assert len(data["competency_gap"]["rows"]) == 9


def test_a_failure_shows_expected_actual_citation_and_a_counterfactual(national: Pack) -> None:
    result = explain(national, vacancy(), candidate(rank="III/c"))
    assert result.status == "ineligible"
    assert result.failed == ("rank.minimum",)
    rank = next(c for c in result.criteria if c.id == "rank.minimum")
    assert rank.outcome == "fail"
    assert rank.expected is not None
    assert rank.expected.en == "rank ≥ III/d"
    assert rank.actual is not None
    assert rank.actual.en == "rank = III/c"
    assert rank.message.id == "Pangkat paling rendah III/d"
    assert rank.hint is not None
    assert rank.hint.en == "eligible once rank reaches III/d; now III/c"
    assert rank.hint.id == "memenuhi syarat setelah pangkat mencapai III/d; saat ini III/c"
    assert "PP 13/2002" in rank.citation


def test_missing_data_is_never_silently_false(national: Pack) -> None:
    result = explain(national, vacancy(), candidate(performance=[]))
    assert result.status == "needs_data"
    window = next(c for c in result.criteria if c.id == "performance.window")
    assert window.outcome == "missing_data"
    assert window.missing_fields == ("performance_min",)
    assert window.hint is not None
    assert window.hint.en == "needs data: performance_min"


def test_a_soft_criterion_lacking_data_is_a_flag(national: Pack) -> None:
    administrator = explain(national, vacancy(), candidate(health_certificate_date=None))
    assert administrator.status == "eligible"
    assert administrator.flags == ("health.certificate",)
    jpt = explain(national, vacancy("jpt_pratama"), candidate(health_certificate_date=None))
    assert "health.certificate" in jpt.missing


def test_a_hard_failure_outranks_missing_data(national: Pack) -> None:
    result = explain(national, vacancy(), candidate(performance=[], rank="III/a"))
    assert result.status == "ineligible"
    assert result.missing == ("performance.window",)


def test_criteria_of_other_levels_are_not_applicable(national: Pack) -> None:
    result = explain(national, vacancy(), candidate())
    age = next(c for c in result.criteria if c.id == "age.maximum")
    assert age.outcome == "not_applicable"
    assert age.hint is None
    assert (
        age.message.en
        == "Age at most 56 years (jpt_pratama), 58 years (jpt_madya) on the reference date"
    )


def test_engine_and_reference_explain_identically(national: Pack) -> None:
    profile = candidate(rank="III/c", lhkpn_year=None)
    engine_view = explain(national, vacancy(), profile).to_dict()
    reference_view = explain(national, vacancy(), profile, evaluator="reference").to_dict()
    assert reference_view.pop("engine") == "reference"
    engine_view.pop("engine")
    assert engine_view == reference_view


def test_the_text_form_reads_well(national: Pack) -> None:
    text = explain(national, vacancy(), candidate(rank="III/c")).render_text()
    assert "Status: INELIGIBLE" in text
    assert "→ eligible once rank reaches III/d; now III/c" in text
    assert "9-box: 9" in text
    indonesian = explain(national, vacancy(), candidate(rank="III/c")).render_text("id")
    assert "memenuhi syarat setelah pangkat mencapai III/d" in indonesian


def test_a_level_or_date_the_pack_does_not_cover_is_refused(national: Pack) -> None:
    with pytest.raises(PackInvalid, match="not pelaksana"):
        explain(national, vacancy("pelaksana"), candidate())
    early = vacancy().__class__(vacancy().level, dt.date(2020, 1, 1))
    with pytest.raises(PackNotEffective, match="effective 2023-10-31 to open"):
        explain(national, early, candidate())
