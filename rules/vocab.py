"""The ASN vocabulary shared by the rules and the registry: ranks, levels, predicates, trainings.

Every ordered concept carries an ordinal so rules compare numbers, never text
(durable_rules compares a string with a number lexicographically). Each concept names its
regulation below; ``docs/rules.md`` §2 lists the value types and §14 the regulation mapping.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Rank(StrEnum):
    """*Pangkat/golongan ruang* of a PNS, I/a (lowest) to IV/e (highest)."""

    I_A = "I/a"
    I_B = "I/b"
    I_C = "I/c"
    I_D = "I/d"
    II_A = "II/a"
    II_B = "II/b"
    II_C = "II/c"
    II_D = "II/d"
    III_A = "III/a"
    III_B = "III/b"
    III_C = "III/c"
    III_D = "III/d"
    IV_A = "IV/a"
    IV_B = "IV/b"
    IV_C = "IV/c"
    IV_D = "IV/d"
    IV_E = "IV/e"

    @property
    def ordinal(self) -> int:
        """Return 1 for I/a up to 17 for IV/e."""
        return _RANK_ORDER.index(self) + 1

    @property
    def title(self) -> str:  # type: ignore[override]
        """Return the *pangkat* name, e.g. ``Penata Tingkat I`` for III/d."""
        return _RANK_TITLES[self]

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Rank:
        """Return the rank with this ordinal (1-17)."""
        return _RANK_ORDER[ordinal - 1]


_RANK_ORDER: Final = list(Rank)
_RANK_TITLES: Final = dict(
    zip(
        _RANK_ORDER,
        [
            "Juru Muda",
            "Juru Muda Tingkat I",
            "Juru",
            "Juru Tingkat I",
            "Pengatur Muda",
            "Pengatur Muda Tingkat I",
            "Pengatur",
            "Pengatur Tingkat I",
            "Penata Muda",
            "Penata Muda Tingkat I",
            "Penata",
            "Penata Tingkat I",
            "Pembina",
            "Pembina Tingkat I",
            "Pembina Utama Muda",
            "Pembina Utama Madya",
            "Pembina Utama",
        ],
        strict=True,
    )
)


class EducationLevel(StrEnum):
    """Formal education, SD < SMP < SMA < D-I < D-II < D-III < D-IV = S1 < S2 < S3."""

    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    D_I = "D-I"
    D_II = "D-II"
    D_III = "D-III"
    D_IV = "D-IV"
    S1 = "S1"
    S2 = "S2"
    S3 = "S3"

    @property
    def ordinal(self) -> int:
        """Return the comparable level; D-IV and S1 share one."""
        return _EDUCATION_ORDINAL[self]


_EDUCATION_ORDINAL: Final = {
    EducationLevel.SD: 1,
    EducationLevel.SMP: 2,
    EducationLevel.SMA: 3,
    EducationLevel.D_I: 4,
    EducationLevel.D_II: 5,
    EducationLevel.D_III: 6,
    EducationLevel.D_IV: 7,
    EducationLevel.S1: 7,
    EducationLevel.S2: 8,
    EducationLevel.S3: 9,
}


class PositionKind(StrEnum):
    """The three families of ASN positions (UU 20/2023)."""

    JPT = "jpt"
    """*Jabatan pimpinan tinggi* (senior executive)."""
    ADMINISTRASI = "administrasi"
    """*Jabatan administrasi*: administrator, pengawas, pelaksana."""
    FUNGSIONAL = "fungsional"
    """*Jabatan fungsional* (JF)."""


class PositionLevel(StrEnum):
    """A position's kind and level in one code."""

    JPT_UTAMA = "jpt_utama"
    JPT_MADYA = "jpt_madya"
    JPT_PRATAMA = "jpt_pratama"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    JF_AHLI_UTAMA = "jf_ahli_utama"
    JF_AHLI_MADYA = "jf_ahli_madya"
    JF_AHLI_MUDA = "jf_ahli_muda"
    JF_AHLI_PERTAMA = "jf_ahli_pertama"
    JF_KETERAMPILAN = "jf_keterampilan"

    @property
    def kind(self) -> PositionKind:
        """Return the family this level belongs to."""
        if self.value.startswith("jpt_"):
            return PositionKind.JPT
        if self.value.startswith("jf_"):
            return PositionKind.FUNGSIONAL
        return PositionKind.ADMINISTRASI

    @property
    def talent_level(self) -> int:
        """Return the BKN talent-cube level (SE Kepala BKN 4/2023): 1 lowest, 5 JPT madya/utama."""
        return _TALENT_LEVEL[self]

    @property
    def label(self) -> str:
        """Return the Indonesian name, e.g. ``JF Ahli Madya``."""
        return _LEVEL_LABELS[self]


_TALENT_LEVEL: Final = {
    PositionLevel.PELAKSANA: 1,
    PositionLevel.JF_KETERAMPILAN: 1,
    PositionLevel.PENGAWAS: 2,
    PositionLevel.JF_AHLI_PERTAMA: 2,
    PositionLevel.JF_AHLI_MUDA: 2,
    PositionLevel.ADMINISTRATOR: 3,
    PositionLevel.JF_AHLI_MADYA: 3,
    PositionLevel.JPT_PRATAMA: 4,
    PositionLevel.JF_AHLI_UTAMA: 4,
    PositionLevel.JPT_MADYA: 5,
    PositionLevel.JPT_UTAMA: 5,
}
_LEVEL_LABELS: Final = {
    PositionLevel.JPT_UTAMA: "JPT Utama",
    PositionLevel.JPT_MADYA: "JPT Madya",
    PositionLevel.JPT_PRATAMA: "JPT Pratama",
    PositionLevel.ADMINISTRATOR: "Administrator",
    PositionLevel.PENGAWAS: "Pengawas",
    PositionLevel.PELAKSANA: "Pelaksana",
    PositionLevel.JF_AHLI_UTAMA: "JF Ahli Utama",
    PositionLevel.JF_AHLI_MADYA: "JF Ahli Madya",
    PositionLevel.JF_AHLI_MUDA: "JF Ahli Muda",
    PositionLevel.JF_AHLI_PERTAMA: "JF Ahli Pertama",
    PositionLevel.JF_KETERAMPILAN: "JF Keterampilan",
}

PROMOTION_TARGETS: Final = (
    PositionLevel.PENGAWAS,
    PositionLevel.ADMINISTRATOR,
    PositionLevel.JPT_PRATAMA,
    PositionLevel.JPT_MADYA,
)
"""The structural levels a vacancy can be opened for (PP 11/2017 Arts. 54-55, 107)."""


class Training(StrEnum):
    """Leadership training (*pelatihan kepemimpinan*), current and legacy names."""

    PKP = "PKP"
    PKA = "PKA"
    PKN_II = "PKN II"
    PKN_I = "PKN I"
    DIKLATPIM_IV = "Diklatpim IV"
    DIKLATPIM_III = "Diklatpim III"
    DIKLATPIM_II = "Diklatpim II"
    DIKLATPIM_I = "Diklatpim I"

    @property
    def ordinal(self) -> int:
        """Return 1 (PKP) to 4 (PKN I); a legacy Diklatpim counts as its successor."""
        return _TRAINING_ORDINAL[self]

    @property
    def equivalent(self) -> Training:
        """Return the current training this one is equivalent to (PerLAN 15/2019)."""
        return _TRAINING_EQUIVALENT.get(self, self)


_TRAINING_EQUIVALENT: Final = {
    Training.DIKLATPIM_IV: Training.PKP,
    Training.DIKLATPIM_III: Training.PKA,
    Training.DIKLATPIM_II: Training.PKN_II,
    Training.DIKLATPIM_I: Training.PKN_I,
}
_TRAINING_ORDINAL: Final = {
    Training.PKP: 1,
    Training.PKA: 2,
    Training.PKN_II: 3,
    Training.PKN_I: 4,
    Training.DIKLATPIM_IV: 1,
    Training.DIKLATPIM_III: 2,
    Training.DIKLATPIM_II: 3,
    Training.DIKLATPIM_I: 4,
}


class Predicate(StrEnum):
    """Annual performance predicate (PermenPANRB 6/2022)."""

    SANGAT_BAIK = "Sangat Baik"
    BAIK = "Baik"
    BUTUH_PERBAIKAN = "Butuh Perbaikan"
    KURANG = "Kurang"
    SANGAT_KURANG = "Sangat Kurang"

    @property
    def ordinal(self) -> int:
        """Return 5 (Sangat Baik) down to 1 (Sangat Kurang)."""
        return _PREDICATE_ORDINAL[self]


_PREDICATE_ORDINAL: Final = {
    Predicate.SANGAT_BAIK: 5,
    Predicate.BAIK: 4,
    Predicate.BUTUH_PERBAIKAN: 3,
    Predicate.KURANG: 2,
    Predicate.SANGAT_KURANG: 1,
}


class PenaltyLevel(StrEnum):
    """Disciplinary penalty tier (PP 94/2021)."""

    RINGAN = "ringan"
    SEDANG = "sedang"
    BERAT = "berat"

    @property
    def ordinal(self) -> int:
        """Return 1 (ringan) to 3 (berat)."""
        return list(PenaltyLevel).index(self) + 1


class PenaltyType(StrEnum):
    """The penalty types of PP 94/2021 Art. 8, each belonging to one tier."""

    TEGURAN_LISAN = "teguran_lisan"
    TEGURAN_TERTULIS = "teguran_tertulis"
    PERNYATAAN_TIDAK_PUAS = "pernyataan_tidak_puas"
    POTONGAN_TUKIN_6 = "potongan_tukin_6_bulan"
    POTONGAN_TUKIN_9 = "potongan_tukin_9_bulan"
    POTONGAN_TUKIN_12 = "potongan_tukin_12_bulan"
    PENURUNAN_JABATAN = "penurunan_jabatan_12_bulan"
    PEMBEBASAN_JABATAN = "pembebasan_jabatan_pelaksana_12_bulan"
    PEMBERHENTIAN = "pemberhentian_tidak_atas_permintaan_sendiri"

    @property
    def level(self) -> PenaltyLevel:
        """Return the tier PP 94/2021 puts this type in."""
        return _PENALTY_LEVEL[self]


_PENALTY_LEVEL: Final = {
    PenaltyType.TEGURAN_LISAN: PenaltyLevel.RINGAN,
    PenaltyType.TEGURAN_TERTULIS: PenaltyLevel.RINGAN,
    PenaltyType.PERNYATAAN_TIDAK_PUAS: PenaltyLevel.RINGAN,
    PenaltyType.POTONGAN_TUKIN_6: PenaltyLevel.SEDANG,
    PenaltyType.POTONGAN_TUKIN_9: PenaltyLevel.SEDANG,
    PenaltyType.POTONGAN_TUKIN_12: PenaltyLevel.SEDANG,
    PenaltyType.PENURUNAN_JABATAN: PenaltyLevel.BERAT,
    PenaltyType.PEMBEBASAN_JABATAN: PenaltyLevel.BERAT,
    PenaltyType.PEMBERHENTIAN: PenaltyLevel.BERAT,
}


class Competency(StrEnum):
    """The eight managerial and one socio-cultural competency (PermenPANRB 38/2017), levels 1-5."""

    INTEGRITAS = "integritas"
    KERJA_SAMA = "kerja_sama"
    KOMUNIKASI = "komunikasi"
    ORIENTASI_HASIL = "orientasi_pada_hasil"
    PELAYANAN_PUBLIK = "pelayanan_publik"
    PENGEMBANGAN_DIRI = "pengembangan_diri_dan_orang_lain"
    MENGELOLA_PERUBAHAN = "mengelola_perubahan"
    PENGAMBILAN_KEPUTUSAN = "pengambilan_keputusan"
    PEREKAT_BANGSA = "perekat_bangsa"

    @property
    def is_sociocultural(self) -> bool:
        """Return whether this is the socio-cultural competency."""
        return self is Competency.PEREKAT_BANGSA


TECHNICAL_PREFIX: Final = "teknis:"
"""Technical competencies are free codes written ``teknis:<name>``."""


class PotentialCategory(StrEnum):
    """Potential class from an assessment (PermenPANRB 20/2025 Art. 17)."""

    RENDAH = "rendah"
    MENENGAH = "menengah"
    TINGGI = "tinggi"

    @property
    def ordinal(self) -> int:
        """Return 1 (rendah) to 3 (tinggi)."""
        return list(PotentialCategory).index(self) + 1


class EmploymentType(StrEnum):
    """ASN employment type (UU 20/2023 Art. 6)."""

    PNS = "PNS"
    PPPK = "PPPK"


class Gender(StrEnum):
    """Gender as encoded in digit 15 of the NIP."""

    MALE = "M"
    FEMALE = "F"

    @property
    def nip_digit(self) -> str:
        """Return the NIP digit for this gender: 1 male, 2 female."""
        return "1" if self is Gender.MALE else "2"


class TenantLevel(StrEnum):
    """Where an agency (*instansi*) sits: national, province, regency (kabupaten) or city (kota)."""

    NATIONAL = "national"
    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"

    @property
    def allowed_parent(self) -> TenantLevel | None:
        """Return the level a tenant of this level must hang under (None: the root)."""
        return _TENANT_PARENT[self]


_TENANT_PARENT: Final = {
    TenantLevel.NATIONAL: None,
    TenantLevel.PROVINCE: TenantLevel.NATIONAL,
    TenantLevel.REGENCY: TenantLevel.PROVINCE,
    TenantLevel.CITY: TenantLevel.PROVINCE,
}


class AssessmentMethod(StrEnum):
    """How a competency assessment was made."""

    ASSESSMENT_CENTER = "assessment_center"
    CACT = "cact"
    """Computer Assisted Competency Test (BKN)."""
    UJI_KOMPETENSI = "uji_kompetensi"
