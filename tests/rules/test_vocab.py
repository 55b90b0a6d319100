"""The ASN vocabulary orders ranks, education, trainings and predicates as the regulations do."""

from __future__ import annotations

from rules.vocab import EducationLevel, PenaltyLevel, PenaltyType, Predicate, Rank, Training


def test_ranks_run_from_i_a_to_iv_e() -> None:
    assert [r.ordinal for r in Rank] == list(range(1, 18))
    assert Rank("III/d").ordinal > Rank("III/c").ordinal
    assert Rank.from_ordinal(13) is Rank.IV_A
    assert Rank.III_D.title == "Penata Tingkat I"


def test_d_iv_equals_s1() -> None:
    assert EducationLevel.D_IV.ordinal == EducationLevel.S1.ordinal
    assert EducationLevel.D_III.ordinal < EducationLevel.S1.ordinal < EducationLevel.S2.ordinal


def test_legacy_diklatpim_is_equivalent_to_current_training() -> None:
    assert Training.DIKLATPIM_III.equivalent is Training.PKA
    assert Training.DIKLATPIM_III.ordinal == Training.PKA.ordinal
    assert Training.PKN_I.ordinal > Training.PKN_II.ordinal > Training.PKA.ordinal


def test_predicates_and_penalties_are_ordered() -> None:
    assert (
        Predicate.SANGAT_BAIK.ordinal > Predicate.BAIK.ordinal > Predicate.BUTUH_PERBAIKAN.ordinal
    )
    assert PenaltyType.POTONGAN_TUKIN_9.level is PenaltyLevel.SEDANG
    assert PenaltyLevel.BERAT.ordinal == 3
