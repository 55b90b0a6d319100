"""Deterministic, realistic demo data for Banten, written as import files and loaded by the import.

The data set: the national tenant (BKN), the province (Pemprov Banten) and its eight regencies
and cities, each with real organisational units (*perangkat daerah*), positions at every level
with competency standards (PermenPANRB 38/2017: eight managerial competencies plus *perekat
bangsa*, levels by position; the per-level standard is the commonly cited, unconfirmed one) and
key positions, some of them vacant; PNS and PPPK employees whose NIPs encode their birth date,
appointment and gender, whose ranks follow service years and position level, with education,
position histories, leadership trainings, three years of performance predicates (most *Baik*,
some *Sangat Baik*, a few *Butuh Perbaikan* / *Kurang*), competency assessments, a few
penalties of each PP 94/2021 tier, and LHKPN / health documents for structural staff.

Careers are built backwards from the current position with the minimum tenures of PP 11/2017
(≥ 4 years before *pengawas*, ≥ 3 as *pengawas* before *administrator*, ≥ 2 before JPT), so
every promotion level has a realistic pool of eligible people in every tenant.
The same seed and reference date give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

from rules.vocab import (
    Competency,
    PenaltyLevel,
    PenaltyType,
    PositionLevel,
    Rank,
    TenantLevel,
    Training,
)
from workflow.core import Database
from workflow.registry.importing import (
    ImportReport,
    Progress,
    RowValidator,
    collect_files,
    import_registry,
    store,
)
from workflow.registry.nip import PPPK_MARKER, eighteenth_birthday
from workflow.registry.records import EMPLOYEE_CHILDREN, SPECS, RecordType

DemoFormat = Literal["csv", "jsonl"]

PROFILES_FILE: Final = "employees.jsonl"
_RETIREMENT_AGE: Final = {
    PositionLevel.JPT_UTAMA: 60,
    PositionLevel.JPT_MADYA: 60,
    PositionLevel.JPT_PRATAMA: 60,
    PositionLevel.JF_AHLI_UTAMA: 65,
    PositionLevel.JF_AHLI_MADYA: 60,
}
"""*Batas usia pensiun* (UU 20/2023 Art. 55); 58 for every other level."""
_STANDARD: Final = {
    PositionLevel.JPT_UTAMA: 5,
    PositionLevel.JPT_MADYA: 5,
    PositionLevel.JPT_PRATAMA: 4,
    PositionLevel.ADMINISTRATOR: 3,
    PositionLevel.PENGAWAS: 2,
    PositionLevel.PELAKSANA: 1,
    PositionLevel.JF_AHLI_UTAMA: 4,
    PositionLevel.JF_AHLI_MADYA: 3,
    PositionLevel.JF_AHLI_MUDA: 2,
    PositionLevel.JF_AHLI_PERTAMA: 1,
    PositionLevel.JF_KETERAMPILAN: 1,
}
"""Required managerial level per position level (the commonly cited standard, unconfirmed)."""
_RANK_RANGE: Final = {
    PositionLevel.JPT_UTAMA: ("IV/e", "IV/e"),
    PositionLevel.JPT_MADYA: ("IV/c", "IV/e"),
    PositionLevel.JPT_PRATAMA: ("IV/a", "IV/c"),
    PositionLevel.ADMINISTRATOR: ("III/d", "IV/b"),
    PositionLevel.PENGAWAS: ("III/b", "III/d"),
    PositionLevel.JF_AHLI_UTAMA: ("IV/d", "IV/e"),
    PositionLevel.JF_AHLI_MADYA: ("IV/a", "IV/c"),
    PositionLevel.JF_AHLI_MUDA: ("III/c", "III/d"),
    PositionLevel.JF_AHLI_PERTAMA: ("III/a", "III/b"),
    PositionLevel.JF_KETERAMPILAN: ("II/a", "III/d"),
}
"""The ranks a holder of each level has (eselon tables, JF *jenjang*); pelaksana: by education."""
_ENTRY_RANK: Final = {"SMA": "II/a", "D-III": "II/c", "S1": "III/a", "D-IV": "III/a", "S2": "III/b"}
_RANK_CEILING: Final = {
    "SMA": "III/b",
    "D-III": "III/c",
    "S1": "III/d",
    "D-IV": "III/d",
    "S2": "IV/a",
    "S3": "IV/b",
}
"""The highest rank regular promotion (*kenaikan pangkat reguler*) reaches per education."""
_LEGACY_TRAINING_BEFORE: Final = dt.date(2020, 1, 1)
"""PerLAN 15/2019 renamed Diklatpim IV/III/II/I to PKP/PKA/PKN II/PKN I."""
_LEGACY: Final = {
    Training.PKP: Training.DIKLATPIM_IV,
    Training.PKA: Training.DIKLATPIM_III,
    Training.PKN_II: Training.DIKLATPIM_II,
    Training.PKN_I: Training.DIKLATPIM_I,
}


@dataclass(frozen=True, slots=True)
class _Family:
    """A field of government work: education fields, functional positions, departments."""

    fields: tuple[str, ...]
    degree: str
    master_degree: str
    functional: tuple[tuple[str, str], ...]
    """(code, title) of the functional positions (JF) this family employs."""
    divisions: tuple[str, ...]
    technical: str
    skilled: tuple[str, str] | None = None
    """(code, title) of the JF *keterampilan* (skilled) position, if the family has one."""
    strict: bool = False
    """Whether its senior posts require one of its education fields."""


_FAMILIES: Final = {
    "pemerintahan": _Family(
        ("Ilmu Pemerintahan", "Administrasi Negara", "Hukum", "Ilmu Politik"),
        "S.IP.",
        "M.Si.",
        (("AKP", "Analis Kebijakan"),),
        ("Pemerintahan", "Kesejahteraan Rakyat", "Hukum", "Organisasi"),
        "tata_kelola_pemerintahan",
        ("ARS", "Arsiparis"),
    ),
    "keuangan": _Family(
        ("Akuntansi", "Manajemen", "Ekonomi Pembangunan"),
        "S.E.",
        "M.Ak.",
        (("AKPD", "Analis Keuangan Pusat dan Daerah"), ("PKD", "Pengelola Pengadaan Barang/Jasa")),
        ("Anggaran", "Perbendaharaan", "Akuntansi", "Aset"),
        "pengelolaan_keuangan_daerah",
        ("BND", "Bendahara"),
        strict=True,
    ),
    "sdm": _Family(
        ("Administrasi Negara", "Manajemen Sumber Daya Manusia", "Psikologi", "Hukum"),
        "S.AP.",
        "M.AP.",
        (("ASDM", "Analis Sumber Daya Manusia Aparatur"), ("ASR", "Asesor SDM Aparatur")),
        ("Mutasi dan Promosi", "Pengembangan Kompetensi", "Penilaian Kinerja", "Informasi ASN"),
        "manajemen_sdm_aparatur",
        ("PKP", "Pranata SDM Aparatur"),
    ),
    "perencanaan": _Family(
        ("Perencanaan Wilayah dan Kota", "Ekonomi Pembangunan", "Statistika"),
        "S.T.",
        "M.E.",
        (("PRC", "Perencana"), ("STA", "Statistisi")),
        ("Perencanaan Makro", "Infrastruktur dan Kewilayahan", "Sosial Budaya", "Litbang"),
        "perencanaan_pembangunan",
        strict=True,
    ),
    "pengawasan": _Family(
        ("Akuntansi", "Hukum", "Manajemen"),
        "S.Ak.",
        "M.Ak.",
        (("AUD", "Auditor"), ("P2UPD", "Pengawas Penyelenggaraan Urusan Pemerintahan Daerah")),
        ("Inspektur Pembantu I", "Inspektur Pembantu II", "Inspektur Pembantu III"),
        "audit_intern",
        strict=True,
    ),
    "pendidikan": _Family(
        ("Pendidikan", "Manajemen Pendidikan", "Pendidikan Matematika", "Pendidikan Bahasa"),
        "S.Pd.",
        "M.Pd.",
        (("GURU", "Guru"), ("PWS", "Pengawas Sekolah")),
        (
            "Pendidikan Dasar",
            "Pendidikan Menengah",
            "Pendidik dan Tenaga Kependidikan",
            "Kebudayaan",
        ),
        "manajemen_pendidikan",
        ("PUST", "Pustakawan"),
        strict=True,
    ),
    "kesehatan": _Family(
        ("Kesehatan Masyarakat", "Kedokteran", "Keperawatan", "Farmasi"),
        "S.K.M.",
        "M.Kes.",
        (("DOK", "Dokter"), ("EPI", "Epidemiolog Kesehatan"), ("ADK", "Administrator Kesehatan")),
        (
            "Kesehatan Masyarakat",
            "Pelayanan Kesehatan",
            "Pencegahan Penyakit",
            "Sumber Daya Kesehatan",
        ),
        "kesehatan_masyarakat",
        ("PRW", "Perawat"),
        strict=True,
    ),
    "teknik": _Family(
        ("Teknik Sipil", "Arsitektur", "Perencanaan Wilayah dan Kota"),
        "S.T.",
        "M.T.",
        (("TJJ", "Teknik Jalan dan Jembatan"), ("PTR", "Penata Ruang")),
        ("Bina Marga", "Sumber Daya Air", "Cipta Karya", "Tata Ruang"),
        "infrastruktur",
        ("TPS", "Teknisi Penyehatan Lingkungan"),
        strict=True,
    ),
    "informatika": _Family(
        ("Informatika", "Sistem Informasi", "Teknik Elektro", "Statistika"),
        "S.Kom.",
        "M.Kom.",
        (("PKOM", "Pranata Komputer"), ("PHM", "Pranata Hubungan Masyarakat")),
        ("Aplikasi Informatika", "Persandian", "Statistik", "Informasi Publik"),
        "teknologi_informasi",
        ("PKOMT", "Pranata Komputer"),
        strict=True,
    ),
    "sosial": _Family(
        ("Kesejahteraan Sosial", "Sosiologi", "Psikologi"),
        "S.Sos.",
        "M.Si.",
        (("PSOS", "Pekerja Sosial"), ("PSM", "Penyuluh Sosial")),
        ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial"),
        "rehabilitasi_sosial",
    ),
    "ekonomi": _Family(
        ("Ekonomi Pembangunan", "Manajemen", "Agribisnis"),
        "S.E.",
        "M.E.",
        (("PPG", "Pengawas Perdagangan"), ("PNK", "Penyuluh Perindustrian")),
        ("Perdagangan", "Perindustrian", "Penanaman Modal", "Pengembangan Usaha"),
        "pengembangan_ekonomi",
    ),
    "pertanian": _Family(
        ("Agribisnis", "Agroteknologi", "Perikanan", "Peternakan"),
        "S.P.",
        "M.P.",
        (("PPT", "Penyuluh Pertanian"), ("PHP", "Pengendali Organisme Pengganggu Tumbuhan")),
        ("Tanaman Pangan", "Hortikultura", "Peternakan", "Perikanan"),
        "penyuluhan_pertanian",
        ("PPTT", "Penyuluh Pertanian"),
    ),
    "lingkungan": _Family(
        ("Teknik Lingkungan", "Biologi", "Kimia"),
        "S.T.",
        "M.Si.",
        (("PDL", "Pengendali Dampak Lingkungan"), ("PLH", "Penyuluh Lingkungan Hidup")),
        ("Tata Lingkungan", "Pengelolaan Sampah", "Pengendalian Pencemaran"),
        "pengendalian_lingkungan",
    ),
    "ketertiban": _Family(
        ("Ilmu Pemerintahan", "Hukum"),
        "S.H.",
        "M.H.",
        (("PPNS", "Polisi Pamong Praja"),),
        ("Ketertiban Umum", "Penegakan Perda", "Perlindungan Masyarakat"),
        "ketertiban_umum",
        ("POLPP", "Polisi Pamong Praja"),
    ),
    "perhubungan": _Family(
        ("Teknik Sipil", "Transportasi", "Manajemen"),
        "S.T.",
        "M.T.",
        (("PKB", "Penguji Kendaraan Bermotor"), ("AMD", "Analis Lalu Lintas")),
        ("Lalu Lintas", "Angkutan", "Sarana dan Prasarana"),
        "transportasi",
        ("PKBT", "Penguji Kendaraan Bermotor"),
    ),
}

_REGIONAL_UNITS: Final = (
    ("SETDA", "Sekretariat Daerah", "pemerintahan", 4),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "sdm", 3),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "perencanaan", 3),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "keuangan", 3),
    ("INSPEKTORAT", "Inspektorat", "pengawasan", 2),
    ("DINDIK", "Dinas Pendidikan dan Kebudayaan", "pendidikan", 20),
    ("DINKES", "Dinas Kesehatan", "kesehatan", 14),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "teknik", 4),
    ("DISKOMINFO", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "informatika", 2),
    ("BAPENDA", "Badan Pendapatan Daerah", "keuangan", 3),
    ("DINSOS", "Dinas Sosial", "sosial", 2),
    ("DISHUB", "Dinas Perhubungan", "perhubungan", 3),
    ("DLH", "Dinas Lingkungan Hidup", "lingkungan", 3),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "ketertiban", 3),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "ekonomi", 2),
    ("DISTAN", "Dinas Pertanian", "pertanian", 3),
    ("SETWAN", "Sekretariat DPRD", "pemerintahan", 2),
    ("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi", "ekonomi", 2),
    ("DPRKP", "Dinas Perumahan Rakyat dan Kawasan Permukiman", "teknik", 2),
    ("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", "ekonomi", 2),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "pemerintahan", 2),
    ("DKP", "Dinas Kelautan dan Perikanan", "pertanian", 2),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "pemerintahan", 1),
    ("DINKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", "ekonomi", 1),
    ("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "sosial", 1),
    ("DISPORAPAR", "Dinas Pemuda, Olahraga dan Pariwisata", "ekonomi", 1),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "pemerintahan", 2),
)
"""(code, name, family, relative headcount): units in the order they are opened as size grows."""
_NATIONAL_UNITS: Final = (
    ("SESTAMA", "Sekretariat Utama", "sdm", 3),
    ("DEPMUTASI", "Deputi Bidang Mutasi Kepegawaian", "sdm", 3),
    ("DEPSINKA", "Deputi Bidang Sistem Informasi Kepegawaian", "informatika", 2),
    ("DEPWASDAL", "Deputi Bidang Pengawasan dan Pengendalian", "pengawasan", 2),
    ("DEPBINMAN", "Deputi Bidang Pembinaan Manajemen Kepegawaian", "sdm", 2),
    ("KANREG3", "Kantor Regional III BKN", "sdm", 3),
)


@dataclass(frozen=True, slots=True)
class _TenantDef:
    code: str
    name: str
    level: TenantLevel
    parent: str | None
    weight: int
    place: str


_TENANTS: Final = (
    _TenantDef("BKN", "Badan Kepegawaian Negara", TenantLevel.NATIONAL, None, 3, "Jakarta"),
    _TenantDef("BANTEN", "Pemerintah Provinsi Banten", TenantLevel.PROVINCE, "BKN", 22, "Serang"),
    _TenantDef(
        "KAB-SERANG", "Pemerintah Kabupaten Serang", TenantLevel.REGENCY, "BANTEN", 10, "Serang"
    ),
    _TenantDef(
        "KAB-PANDEGLANG",
        "Pemerintah Kabupaten Pandeglang",
        TenantLevel.REGENCY,
        "BANTEN",
        9,
        "Pandeglang",
    ),
    _TenantDef(
        "KAB-LEBAK", "Pemerintah Kabupaten Lebak", TenantLevel.REGENCY, "BANTEN", 9, "Rangkasbitung"
    ),
    _TenantDef(
        "KAB-TANGERANG",
        "Pemerintah Kabupaten Tangerang",
        TenantLevel.REGENCY,
        "BANTEN",
        15,
        "Tigaraksa",
    ),
    _TenantDef(
        "KOTA-TANGERANG", "Pemerintah Kota Tangerang", TenantLevel.CITY, "BANTEN", 11, "Tangerang"
    ),
    _TenantDef("KOTA-CILEGON", "Pemerintah Kota Cilegon", TenantLevel.CITY, "BANTEN", 6, "Cilegon"),
    _TenantDef("KOTA-SERANG", "Pemerintah Kota Serang", TenantLevel.CITY, "BANTEN", 7, "Serang"),
    _TenantDef(
        "KOTA-TANGSEL",
        "Pemerintah Kota Tangerang Selatan",
        TenantLevel.CITY,
        "BANTEN",
        8,
        "Tangerang Selatan",
    ),
)

_MALE_NAMES: Final = (
    "Ahmad", "Agus", "Asep", "Budi", "Dedi", "Dadang", "Eko", "Fajar", "Hendra", "Iwan",
    "Jajang", "Rudi", "Ujang", "Yusuf", "Rizky", "Muhammad", "Deni", "Ade", "Andi", "Bambang",
    "Cecep", "Dian", "Endang", "Firman", "Gilang", "Hadi", "Irfan", "Lukman", "Nana", "Rahmat",
    "Syarif", "Wawan", "Yayan", "Zaenal", "Aris", "Dodi", "Heri", "Iman", "Mamat", "Ridwan",
)  # fmt: skip
_FEMALE_NAMES: Final = (
    "Siti", "Nur", "Dewi", "Sri", "Rina", "Ani", "Euis", "Neneng", "Fitri", "Intan",
    "Lilis", "Maya", "Nia", "Putri", "Rini", "Santi", "Tuti", "Wulan", "Yuli", "Ayu",
    "Dina", "Eka", "Heni", "Ika", "Kiki", "Lina", "Mega", "Novi", "Ratna", "Sari",
    "Tika", "Yanti", "Desi", "Evi", "Leni", "Nining", "Ai", "Iis", "Elis", "Susi",
)  # fmt: skip
_MALE_SURNAMES: Final = (
    "Hidayat", "Saputra", "Suryana", "Rahman", "Hermawan", "Kurniawan", "Permana", "Setiawan",
    "Nugraha", "Firmansyah", "Maulana", "Mulyana", "Sulaeman", "Wahyudi", "Gunawan", "Sopian",
    "Hakim", "Syahputra", "Ramdani", "Fauzi", "Supriadi", "Munandar", "Iskandar", "Ruhiyat",
)  # fmt: skip
_FEMALE_SURNAMES: Final = (
    "Rohmawati", "Nurhayati", "Handayani", "Lestari", "Rahmawati", "Susanti", "Fitriani",
    "Marlina", "Kartika", "Purnamasari", "Yuliani", "Suryani", "Anggraeni", "Hasanah",
    "Wulandari", "Maryani", "Nurjanah", "Komalasari", "Sulastri", "Herawati", "Fauziah",
)  # fmt: skip
_UNIVERSITIES: Final = (
    "Universitas Sultan Ageng Tirtayasa",
    "UIN Sultan Maulana Hasanuddin Banten",
    "Universitas Indonesia",
    "Universitas Padjadjaran",
    "Universitas Gadjah Mada",
    "Universitas Terbuka",
    "Universitas Pamulang",
    "Universitas Mathla'ul Anwar",
    "Institut Teknologi Bandung",
    "Institut Pertanian Bogor",
    "Universitas Serang Raya",
    "Universitas Muhammadiyah Tangerang",
)
_POLYTECHNICS: Final = (
    "Politeknik Negeri Jakarta",
    "Politeknik Keuangan Negara STAN",
    "Poltekkes Kemenkes Banten",
    "Akademi Keperawatan Pemkab Serang",
    "Politeknik LP3I Jakarta",
)
_DIPLOMA_FIELDS: Final = (
    "Administrasi Perkantoran",
    "Akuntansi",
    "Keperawatan",
    "Teknik Komputer",
    "Kebidanan",
    "Manajemen Informatika",
)
_PELAKSANA: Final = (
    ("ADM", "Pengadministrasi Perkantoran"),
    ("DATA", "Pengolah Data dan Informasi"),
    ("LAY", "Penata Layanan Operasional"),
)
_JF_LEVELS: Final = (
    (PositionLevel.JF_AHLI_PERTAMA, "AP", "Ahli Pertama"),
    (PositionLevel.JF_AHLI_MUDA, "AM", "Ahli Muda"),
    (PositionLevel.JF_AHLI_MADYA, "AMD", "Ahli Madya"),
    (PositionLevel.JF_AHLI_UTAMA, "AU", "Ahli Utama"),
)
_PREDICATES: Final = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
_PERFORMANCE_TRAITS: Final = {
    "star": (0.70, 0.30, 0.0, 0.0, 0.0),
    "solid": (0.08, 0.88, 0.04, 0.0, 0.0),
    "weak": (0.0, 0.45, 0.45, 0.10, 0.0),
    "poor": (0.0, 0.0, 0.30, 0.45, 0.25),
}
"""Yearly predicate odds per person type; overall ≈ 16% SB, 71% B, 9% BP, 3% K, 1% SK."""


@dataclass(slots=True)
class _Position:
    tenant: str
    code: str
    title: str
    level: PositionLevel
    unit: str
    family: str
    is_key: bool = False
    required_fields: tuple[str, ...] = ()
    filled: bool = True


@dataclass(slots=True)
class _Unit:
    code: str
    name: str
    family: str
    weight: int
    head: _Position
    structural: list[_Position] = field(default_factory=list)
    functional: dict[PositionLevel, list[_Position]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """What :func:`write_demo_files` wrote."""

    directory: Path
    files: tuple[Path, ...]
    employees: int
    rows: int


def write_demo_files(
    out: Path,
    *,
    employees: int,
    seed: int,
    as_of: dt.date,
    file_format: DemoFormat = "csv",
) -> DemoFiles:
    """Write a demo data set of ``employees`` people as import files into ``out``.

    ``csv`` writes the full CSV set; ``jsonl`` writes tenants, positions and competency
    standards as CSV and the employees as one JSON profile per line (``employees.jsonl``).
    """
    if employees < 1:
        raise ValueError("a demo data set needs at least one employee")
    out.mkdir(parents=True, exist_ok=True)
    generator = _Generator(seed=seed, as_of=as_of, employees=employees)
    written: list[Path] = []
    rows = 0
    for record_type, table in (
        (RecordType.TENANT, generator.tenant_rows()),
        (RecordType.POSITION, generator.position_rows()),
        (RecordType.POSITION_COMPETENCY, generator.competency_rows()),
    ):
        path = out / SPECS[record_type].file_name
        rows += _write_csv(path, SPECS[record_type].columns, table)
        written.append(path)
    if file_format == "jsonl":
        path = out / PROFILES_FILE
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for profile in generator.profiles():
                handle.write(
                    json.dumps(_compact(profile), ensure_ascii=False, separators=(",", ":"))
                )
                handle.write("\n")
                rows += _profile_rows(profile)
        written.append(path)
    else:
        with _CsvSet(out) as csv_set:
            for profile in generator.profiles():
                rows += csv_set.write(profile)
            written.extend(csv_set.paths)
    return DemoFiles(out, tuple(written), employees, rows)


def seed_demo(
    db: Database,
    *,
    employees: int,
    seed: int,
    as_of: dt.date,
    validator: RowValidator,
    now: dt.datetime,
    only_if_empty: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
    work_dir: Path | None = None,
) -> ImportReport | None:
    """Generate a demo data set and load it THROUGH the registry import (so it is proven valid).

    Returns None, writing nothing, when ``only_if_empty`` and employees are already registered.

    :raises workflow.registry.importing.ImportRejected: the generated data failed validation
        (a bug in the generator; nothing is written).
    """
    if only_if_empty:
        with db.read() as session:
            if store.count_employees(session.connection()):
                return None
    with tempfile.TemporaryDirectory(prefix="meritflow-demo-", dir=work_dir) as scratch:
        demo = write_demo_files(Path(scratch), employees=employees, seed=seed, as_of=as_of)
        return import_registry(
            db,
            files=collect_files([demo.directory]),
            validator=validator,
            now=now,
            progress=progress,
            workers=workers,
            work_dir=work_dir,
            actor="demo-seed",
        )


def _write_csv(path: Path, columns: Sequence[str], rows: Iterator[Sequence[object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
    return count


def _cell(value: object) -> object:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def _compact(profile: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values and false flags (the import reads a missing key as empty)."""
    result: dict[str, Any] = {}
    for key, value in profile.items():
        if value is None or value is False or value == []:
            continue
        if isinstance(value, list):
            value = [_compact(item) for item in value]
        result[key] = value
    return result


def _profile_rows(profile: dict[str, Any]) -> int:
    rows = 1
    for spec in SPECS.values():
        if spec.json_key:
            rows += len(profile[spec.json_key])
    rows += sum(len(item["scores"]) for item in profile["assessments"])
    return rows


class _CsvSet:
    """The eight employee files of a CSV set, written side by side."""

    def __init__(self, out: Path) -> None:
        self._out = out
        self._handles: list[IO[str]] = []
        self._writers: dict[RecordType, Any] = {}
        self.paths: list[Path] = []

    def __enter__(self) -> _CsvSet:
        for record_type in (RecordType.EMPLOYEE, *EMPLOYEE_CHILDREN):
            spec = SPECS[record_type]
            path = self._out / spec.file_name
            handle = path.open("w", encoding="utf-8", newline="")
            self._handles.append(handle)
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(spec.columns)
            self._writers[record_type] = writer
            self.paths.append(path)
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.close()

    def write(self, profile: dict[str, Any]) -> int:
        """Write one profile's rows; return how many."""
        nip = profile["nip"]
        employee_columns = SPECS[RecordType.EMPLOYEE].columns
        self._writers[RecordType.EMPLOYEE].writerow(
            [_cell(profile.get(name)) for name in employee_columns]
        )
        rows = 1
        for record_type in EMPLOYEE_CHILDREN:
            spec = SPECS[record_type]
            if spec.json_key is None:
                continue
            writer = self._writers[record_type]
            for item in profile[spec.json_key]:
                writer.writerow([nip, *(_cell(item.get(name)) for name in spec.columns[1:])])
                rows += 1
        scores = self._writers[RecordType.ASSESSMENT_SCORE]
        for assessment in profile["assessments"]:
            for score in assessment["scores"]:
                scores.writerow(
                    [
                        nip,
                        assessment["assessed_on"],
                        assessment["method"],
                        score["competency"],
                        score["level"],
                    ]
                )
                rows += 1
        return rows


class _Generator:
    """The random but reproducible world: one ``random.Random(seed)`` drawn in a fixed order."""

    def __init__(self, *, seed: int, as_of: dt.date, employees: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.as_of = as_of
        self.sizes = self._allocate(employees)
        self.units: dict[str, list[_Unit]] = {
            tenant.code: self._build_units(tenant, self.sizes[tenant.code]) for tenant in _TENANTS
        }
        self._nips: set[str] = set()

    def _allocate(self, employees: int) -> dict[str, int]:
        total_weight = sum(tenant.weight for tenant in _TENANTS)
        sizes = {tenant.code: employees * tenant.weight // total_weight for tenant in _TENANTS}
        for tenant in sorted(_TENANTS, key=lambda t: -t.weight)[: employees - sum(sizes.values())]:
            sizes[tenant.code] += 1
        return sizes

    # ------------------------------------------------------------------ organisation

    def _build_units(self, tenant: _TenantDef, size: int) -> list[_Unit]:
        national = tenant.level is TenantLevel.NATIONAL
        catalogue = _NATIONAL_UNITS if national else _REGIONAL_UNITS
        count = max(2, min(len(catalogue), round(size / 110)))
        divisions = 2 + (size > 3000) + (size > 8000)
        units = []
        for code, name, family_name, weight in catalogue[:count]:
            units.append(self._build_unit(tenant, code, name, family_name, weight, divisions))
        if national:
            units[0].structural.insert(
                0,
                _Position(
                    tenant.code,
                    "KEPALA-BKN",
                    "Kepala Badan Kepegawaian Negara",
                    PositionLevel.JPT_UTAMA,
                    "Badan Kepegawaian Negara",
                    "sdm",
                    is_key=True,
                ),
            )
        return units

    def _build_unit(
        self,
        tenant: _TenantDef,
        code: str,
        name: str,
        family_name: str,
        weight: int,
        divisions: int,
    ) -> _Unit:
        rng = self.rng
        family = _FAMILIES[family_name]
        province = tenant.level is TenantLevel.PROVINCE
        national = tenant.level is TenantLevel.NATIONAL
        if code == "SETDA":
            head_title = "Sekretaris Daerah"
            head_level = PositionLevel.JPT_MADYA if province else PositionLevel.JPT_PRATAMA
        elif code == "SETWAN":
            head_title, head_level = "Sekretaris DPRD", PositionLevel.JPT_PRATAMA
        elif code == "INSPEKTORAT":
            head_title, head_level = "Inspektur", PositionLevel.JPT_PRATAMA
        elif national and code.startswith("DEP"):
            head_title, head_level = name, PositionLevel.JPT_MADYA
        elif national and code == "SESTAMA":
            head_title, head_level = "Sekretaris Utama", PositionLevel.JPT_MADYA
        else:
            head_title, head_level = f"Kepala {name}", PositionLevel.JPT_PRATAMA
        strict_fields = family.fields if family.strict else ()
        head = _Position(
            tenant.code,
            f"{code}-KEPALA",
            head_title,
            head_level,
            name,
            family_name,
            is_key=True,
            required_fields=strict_fields,
        )
        unit = _Unit(code, name, family_name, weight, head, [head])
        if code == "SETDA":
            for index, area in enumerate(
                (
                    "Pemerintahan dan Kesejahteraan Rakyat",
                    "Perekonomian dan Pembangunan",
                    "Administrasi Umum",
                ),
                start=1,
            ):
                unit.structural.append(
                    _Position(
                        tenant.code,
                        f"SETDA-ASISTEN{index}",
                        f"Asisten {area}",
                        PositionLevel.JPT_PRATAMA,
                        name,
                        family_name,
                        is_key=index == 1,
                    )
                )
        if national and code.startswith("DEP"):
            for index in range(1, 3):
                unit.structural.append(
                    _Position(
                        tenant.code,
                        f"{code}-DIREKTUR{index}",
                        f"Direktur {family.divisions[index - 1]}",
                        PositionLevel.JPT_PRATAMA,
                        name,
                        family_name,
                        is_key=index == 1,
                    )
                )
        default_secretary = "Kepala Bagian Tata Usaha" if national else f"Sekretaris {name}"
        secretary = _SECRETARY.get(code, default_secretary)
        unit.structural.append(
            _Position(
                tenant.code,
                f"{code}-SEKRETARIS",
                secretary,
                PositionLevel.ADMINISTRATOR,
                name,
                family_name,
                is_key=family.strict,
            )
        )
        unit.structural.append(
            _Position(
                tenant.code,
                f"{code}-KASUBBAG1",
                "Kepala Subbagian Umum dan Kepegawaian",
                PositionLevel.PENGAWAS,
                name,
                family_name,
            )
        )
        for index, division in enumerate(family.divisions[:divisions], start=1):
            required = strict_fields if rng.random() < 0.5 else ()
            unit.structural.append(
                _Position(
                    tenant.code,
                    f"{code}-KABID{index}",
                    f"Kepala Bidang {division}",
                    PositionLevel.ADMINISTRATOR,
                    name,
                    family_name,
                    is_key=index == 1,
                    required_fields=required,
                )
            )
            for section in range(1, 2 + (rng.random() < 0.4)):
                unit.structural.append(
                    _Position(
                        tenant.code,
                        f"{code}-KASI{index}{section}",
                        f"Kepala Seksi {division} {'I' * section}",
                        PositionLevel.PENGAWAS,
                        name,
                        family_name,
                    )
                )
        for position in unit.structural[1:]:
            position.filled = rng.random() >= (0.18 if position.is_key else 0.08)
        self._add_functional(tenant, unit, family)
        return unit

    def _add_functional(self, tenant: _TenantDef, unit: _Unit, family: _Family) -> None:
        senior = tenant.level is not TenantLevel.REGENCY and tenant.level is not TenantLevel.CITY
        for jf_code, jf_title in family.functional:
            for level, suffix, label in _JF_LEVELS:
                if level is PositionLevel.JF_AHLI_UTAMA and not senior:
                    continue
                unit.functional.setdefault(level, []).append(
                    _Position(
                        tenant.code,
                        f"{unit.code}-{jf_code}-{suffix}",
                        f"{jf_title} {label}",
                        level,
                        unit.name,
                        unit.family,
                    )
                )
        if family.skilled:
            jf_code, jf_title = family.skilled
            unit.functional.setdefault(PositionLevel.JF_KETERAMPILAN, []).append(
                _Position(
                    tenant.code,
                    f"{unit.code}-{jf_code}-T",
                    f"{jf_title} Terampil",
                    PositionLevel.JF_KETERAMPILAN,
                    unit.name,
                    unit.family,
                )
            )
        for code, title in _PELAKSANA:
            unit.functional.setdefault(PositionLevel.PELAKSANA, []).append(
                _Position(
                    tenant.code,
                    f"{unit.code}-PLK-{code}",
                    title,
                    PositionLevel.PELAKSANA,
                    unit.name,
                    unit.family,
                )
            )

    def tenant_rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the rows of ``tenants.csv``."""
        for tenant in _TENANTS:
            yield (tenant.code, tenant.name, tenant.level.value, tenant.parent)

    def _positions(self) -> Iterator[_Position]:
        for tenant in _TENANTS:
            for unit in self.units[tenant.code]:
                yield from unit.structural
                for level in sorted(unit.functional, key=list(PositionLevel).index):
                    yield from unit.functional[level]

    def position_rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the rows of ``positions.csv``."""
        for position in self._positions():
            yield (
                position.tenant,
                position.code,
                position.title,
                position.level.value,
                position.unit,
                position.is_key,
                "|".join(position.required_fields) or None,
            )

    def competency_rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the rows of ``position_competencies.csv``: the 8 + 1 and one technical."""
        for position in self._positions():
            standard = _STANDARD[position.level]
            for competency in Competency:
                yield (position.tenant, position.code, competency.value, standard)
            technical = min(5, standard + 1) if position.level.kind.value != "jpt" else standard
            yield (
                position.tenant,
                position.code,
                f"teknis:{_FAMILIES[position.family].technical}",
                technical,
            )

    # ------------------------------------------------------------------ people

    def profiles(self) -> Iterator[dict[str, Any]]:
        """Yield every employee profile (the JSON profile shape), tenant by tenant."""
        for tenant in _TENANTS:
            size = self.sizes[tenant.code]
            units = self.units[tenant.code]
            holders = [
                position for unit in units for position in unit.structural if position.filled
            ][: max(1, size * 2 // 5) if size else 0]
            for position in holders:
                yield self._person(tenant, position, pns=True)
            weights = [unit.weight for unit in units]
            for _ in range(size - len(holders)):
                unit = self.rng.choices(units, weights)[0]
                pns = self.rng.random() >= 0.33
                level = self._functional_level(pns, unit)
                position = self.rng.choice(unit.functional[level])
                yield self._person(tenant, position, pns=pns)

    def _functional_level(self, pns: bool, unit: _Unit) -> PositionLevel:
        options: tuple[tuple[PositionLevel, int], ...]
        if pns:
            options = (
                (PositionLevel.PELAKSANA, 40),
                (PositionLevel.JF_KETERAMPILAN, 10),
                (PositionLevel.JF_AHLI_PERTAMA, 15),
                (PositionLevel.JF_AHLI_MUDA, 19),
                (PositionLevel.JF_AHLI_MADYA, 13),
                (PositionLevel.JF_AHLI_UTAMA, 3),
            )
        else:
            options = (
                (PositionLevel.JF_AHLI_PERTAMA, 45),
                (PositionLevel.JF_KETERAMPILAN, 25),
                (PositionLevel.PELAKSANA, 25),
                (PositionLevel.JF_AHLI_MUDA, 5),
            )
        available = [(level, weight) for level, weight in options if level in unit.functional]
        levels = [level for level, _ in available]
        chosen: PositionLevel = self.rng.choices(levels, [weight for _, weight in available])[0]
        return chosen

    def _person(self, tenant: _TenantDef, position: _Position, *, pns: bool) -> dict[str, Any]:
        rng = self.rng
        structural = position.level.kind.value != "fungsional" and (
            position.level is not PositionLevel.PELAKSANA
        )
        male = rng.random() < (0.68 if structural else 0.46)
        trait = rng.choices(
            ("star", "solid", "weak", "poor"),
            (0.25, 0.68, 0.06, 0.01) if structural else (0.15, 0.70, 0.11, 0.04),
        )[0]
        career = self._pns_career(position) if pns else self._pppk_career(position)
        education, degrees = self._education(career, position)
        gender = "M" if male else "F"
        nip = self._nip(career, gender, pns)
        profile: dict[str, Any] = {
            "nip": nip,
            "name": self._name(male, degrees),
            "birth_date": career.birth.isoformat(),
            "gender": gender,
            "tenant_code": tenant.code,
            "employment_type": "PNS" if pns else "PPPK",
            "rank": None,
            "rank_tmt": None,
            "position_code": position.code,
            "lhkpn_year": None,
            "health_certificate_date": None,
            "disciplinary_case_pending": rng.random() < 0.003,
        }
        if pns:
            rank, rank_tmt = self._rank(career, position, education[-1]["level"])
            profile["rank"], profile["rank_tmt"] = rank, rank_tmt.isoformat()
        self._documents(profile, position, structural)
        profile["education"] = education
        profile["position_history"] = [
            {
                "title": segment.title,
                "level": segment.level.value,
                "unit": segment.unit,
                "start_date": segment.start.isoformat(),
                "end_date": segment.end.isoformat() if segment.end else None,
            }
            for segment in career.segments
        ]
        profile["trainings"] = self._trainings(career) if pns else []
        profile["performance"] = self._performance(career, trait)
        profile["assessments"] = self._assessments(career, position, trait, structural, pns)
        profile["penalties"] = self._penalties(career, trait, structural) if pns else []
        return profile

    # ------------------------------------------------------------------ careers

    def _pns_career(self, position: _Position) -> _Career:
        rng = self.rng
        level = position.level
        ladder = _LADDER.get(level)
        segments: list[tuple[PositionLevel, float]] = []
        if ladder is not None:
            current, earlier = ladder
            segments.append((level, rng.uniform(*current)))
            for step_level, span in earlier:
                segments.append((step_level, rng.uniform(*span)))
        elif level is PositionLevel.PELAKSANA:
            segments.append((level, rng.uniform(0.5, 30.0)))
        else:
            jf = [lv for lv, _, _ in _JF_LEVELS]
            if level is PositionLevel.JF_KETERAMPILAN:
                segments.append((level, rng.uniform(0.5, 25.0)))
            else:
                index = jf.index(level)
                segments.append((level, rng.uniform(0.3, 10.0)))
                for earlier_level in reversed(jf[:index]):
                    segments.append((earlier_level, rng.uniform(4.0, 8.0)))
        segments.reverse()
        service = sum(years for _, years in segments)
        degree = self._entry_degree(level)
        low, high = _ENTRY_AGE[degree]
        retirement = _RETIREMENT_AGE.get(level, 58) - 0.7
        entry_age = min(rng.uniform(low, high), retirement - service)
        if entry_age < low:
            first_level, first_years = segments[0]
            shrink = low - entry_age
            segments[0] = (first_level, max(1.0, first_years - shrink))
            entry_age = low
        service = sum(years for _, years in segments)
        start = self._month_start(self.as_of - _years(service), months=(1, 3, 4, 12))
        birth = self._birth(start, entry_age)
        return self._segments(position, start, birth, degree, segments)

    def _pppk_career(self, position: _Position) -> _Career:
        rng = self.rng
        years = [
            year for year in range(2021, self.as_of.year + 1) if dt.date(year, 3, 1) <= self.as_of
        ]
        weights = [(10, 20, 25, 25, 20, 10)[min(i, 5)] for i in range(len(years))]
        year = rng.choices(years, weights)[0]
        months = [m for m in (3, 4, 10) if dt.date(year, m, 1) <= self.as_of] or [1]
        start = dt.date(year, rng.choice(months), 1)
        degree = self._entry_degree(position.level)
        age = rng.uniform(max(_ENTRY_AGE[degree][0], 22.0), 45.0)
        birth = self._birth(start, age)
        return self._segments(position, start, birth, degree, [(position.level, 0.0)])

    def _entry_degree(self, level: PositionLevel) -> str:
        rng = self.rng
        if level is PositionLevel.PELAKSANA:
            return rng.choices(("SMA", "D-III", "S1"), (40, 25, 35))[0]
        if level is PositionLevel.JF_KETERAMPILAN:
            return rng.choices(("SMA", "D-III"), (15, 85))[0]
        if level is PositionLevel.PENGAWAS:
            return rng.choices(("D-III", "S1", "D-IV", "S2"), (20, 65, 10, 5))[0]
        if level.kind.value == "fungsional":
            return rng.choices(("S1", "D-IV", "S2"), (80, 8, 12))[0]
        return rng.choices(("D-III", "S1", "D-IV", "S2"), (8, 72, 14, 6))[0]

    def _segments(
        self,
        position: _Position,
        start: dt.date,
        birth: dt.date,
        degree: str,
        spans: list[tuple[PositionLevel, float]],
    ) -> _Career:
        unit_family = position.family
        segments: list[_Segment] = []
        begin = start
        for index, (level, years) in enumerate(spans):
            last = index == len(spans) - 1
            if last:
                title, unit = position.title, position.unit
            else:
                title, unit = self._past_title(level, unit_family, position)
            end = None if last else self._month_start(begin + _years(years), months=None)
            if end is not None and end <= begin:
                end = begin + dt.timedelta(days=31)
            segments.append(
                _Segment(title, level, unit, begin, end - dt.timedelta(days=1) if end else None)
            )
            if end is not None:
                begin = end
        if segments[-1].start > self.as_of:
            last_segment = segments[-1]
            segments[-1] = _Segment(
                last_segment.title, last_segment.level, last_segment.unit, self.as_of, None
            )
        return _Career(start, birth, degree, segments)

    def _past_title(self, level: PositionLevel, family: str, current: _Position) -> tuple[str, str]:
        rng = self.rng
        units = self.units[current.tenant]
        unit = (
            rng.choice(units)
            if rng.random() < 0.35
            else next((u for u in units if u.name == current.unit), units[0])
        )
        if level is PositionLevel.PELAKSANA:
            return rng.choice(_PELAKSANA)[1], unit.name
        if level is PositionLevel.PENGAWAS:
            division = rng.choice(_FAMILIES[unit.family].divisions)
            return f"Kepala Seksi {division}", unit.name
        if level is PositionLevel.ADMINISTRATOR:
            division = rng.choice(_FAMILIES[unit.family].divisions)
            return f"Kepala Bidang {division}", unit.name
        if level is PositionLevel.JPT_PRATAMA:
            return f"Kepala {unit.name}", unit.name
        if level is PositionLevel.JPT_MADYA:
            if current.tenant == "BKN":
                return unit.name, unit.name
            return "Sekretaris Daerah", "Sekretariat Daerah"
        jf_title = _FAMILIES[family].functional[0][1]
        label = next(label for lv, _, label in _JF_LEVELS if lv is level)
        return f"{jf_title} {label}", current.unit

    def _birth(self, start: dt.date, age: float) -> dt.date:
        birth = start - _years(age) - dt.timedelta(days=self.rng.randrange(0, 28))
        if eighteenth_birthday(birth) > start:
            birth = dt.date(start.year - 19, start.month, 1)
        return birth

    def _month_start(self, day: dt.date, months: tuple[int, ...] | None) -> dt.date:
        candidate = dt.date(day.year, day.month, 1)
        if months:
            while candidate.month not in months:
                candidate = dt.date(
                    candidate.year - (candidate.month == 1), (candidate.month - 2) % 12 + 1, 1
                )
        return min(candidate, dt.date(self.as_of.year, self.as_of.month, 1))

    def _nip(self, career: _Career, gender: str, pns: bool) -> str:
        middle = (
            f"{career.start.year:04d}{career.start.month:02d}"
            if pns
            else f"{career.start.year:04d}{PPPK_MARKER}"
        )
        prefix = f"{career.birth:%Y%m%d}{middle}{1 if gender == 'M' else 2}"
        while True:
            nip = f"{prefix}{self.rng.randrange(1, 1000):03d}"
            if nip not in self._nips:
                self._nips.add(nip)
                return nip

    def _rank(self, career: _Career, position: _Position, highest: str) -> tuple[str, dt.date]:
        service = (self.as_of - career.start).days / 365.25
        entry = Rank(_ENTRY_RANK[career.degree]).ordinal
        delay = self.rng.uniform(0.0, 1.5)
        natural = entry + max(0, int((service - delay) // 4))
        ceiling = Rank(_RANK_CEILING[highest]).ordinal
        bounds = _RANK_RANGE.get(position.level)
        if bounds is not None:
            low, high = Rank(bounds[0]).ordinal, Rank(bounds[1]).ordinal
            if position.level.kind.value == "fungsional":
                ordinal = min(max(natural, low), high)
            else:
                ordinal = min(max(natural, low), max(ceiling, high))
        else:
            ordinal = min(natural, max(ceiling, entry))
        steps = ordinal - entry
        if steps <= 0:
            return Rank.from_ordinal(ordinal).value, career.start
        reached = min(
            career.start + _years(4 * steps),
            self.as_of - dt.timedelta(days=self.rng.randrange(30, 1400)),
        )
        if reached.month >= 10:
            tmt = dt.date(reached.year, 10, 1)
        elif reached.month >= 4:
            tmt = dt.date(reached.year, 4, 1)
        else:
            tmt = dt.date(reached.year - 1, 10, 1)
        return Rank.from_ordinal(ordinal).value, max(career.start, tmt)

    def _education(
        self, career: _Career, position: _Position
    ) -> tuple[list[dict[str, Any]], list[str]]:
        rng = self.rng
        family = _FAMILIES[position.family]
        field_name = (
            rng.choice(family.fields)
            if rng.random() < 0.8
            else rng.choice(_FAMILIES[rng.choice(list(_FAMILIES))].fields)
        )
        birth = career.birth.year
        rows: list[dict[str, Any]] = []
        degrees: list[str] = []
        degree = career.degree
        if degree == "SMA":
            rows.append(self._school("SMA", rng.choice(("IPA", "IPS")), birth + 18, position))
        if degree in ("D-III",):
            rows.append(
                self._school(
                    "D-III", rng.choice(_DIPLOMA_FIELDS), birth + 21, position, _POLYTECHNICS
                )
            )
            degrees.append("A.Md.")
        if degree in ("S1", "D-IV", "S2"):
            level = "D-IV" if degree == "D-IV" else "S1"
            institution = "Institut Pemerintahan Dalam Negeri" if level == "D-IV" else None
            graduated = birth + rng.randint(22, 24)
            graduated = min(graduated, career.start.year)
            rows.append(
                self._school(level, field_name, graduated, position, institution=institution)
            )
            degrees.append("S.STP" if level == "D-IV" else family.degree)
        if degree == "S2":
            rows.append(self._school("S2", field_name, rows[-1]["year"] + 2, position))
            degrees.append(family.master_degree)
        later = _LATER_MASTER.get(position.level, 0.1)
        start_year = career.start.year
        if degree == "D-III" and position.level not in (
            PositionLevel.PELAKSANA,
            PositionLevel.JF_KETERAMPILAN,
        ):
            year = min(self.as_of.year - 1, start_year + rng.randint(2, 6))
            rows.append(self._school("S1", field_name, max(year, rows[-1]["year"] + 2), position))
            degrees = [family.degree]
        if degree != "S2" and rows[-1]["level"] in ("S1", "D-IV") and rng.random() < later:
            year = start_year + rng.randint(3, 12)
            if year < self.as_of.year:
                rows.append(
                    self._school("S2", field_name, max(year, rows[-1]["year"] + 2), position)
                )
                degrees.append(family.master_degree)
        if rows[-1]["level"] == "S2" and position.level in _DOCTORATE and rng.random() < 0.12:
            year = rows[-1]["year"] + rng.randint(3, 8)
            if year < self.as_of.year:
                rows.append(self._school("S3", field_name, year, position))
                degrees.append("Dr.")
        for row in rows:
            row["year"] = min(row["year"], self.as_of.year)
        return rows, degrees

    def _school(
        self,
        level: str,
        field_name: str,
        year: int,
        position: _Position,
        institutions: Sequence[str] | None = None,
        *,
        institution: str | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        if institution is None:
            if level == "SMA":
                place = next(t.place for t in _TENANTS if t.code == position.tenant)
                institution = f"SMA Negeri {rng.randint(1, 12)} {place}"
            else:
                institution = rng.choice(institutions or _UNIVERSITIES)
        return {"level": level, "field": field_name, "year": year, "institution": institution}

    def _name(self, male: bool, degrees: list[str]) -> str:
        rng = self.rng
        first = rng.choice(_MALE_NAMES if male else _FEMALE_NAMES)
        last = rng.choice(_MALE_SURNAMES if male else _FEMALE_SURNAMES)
        name = f"{first} {last}"
        if rng.random() < 0.03:
            name = f"{'Tb.' if male else 'Ratu'} {name}"
        if "Dr." in degrees:
            name = f"Dr. {name}"
        suffixes = [degree for degree in degrees if degree != "Dr."]
        return ", ".join([name, *suffixes])

    def _documents(self, profile: dict[str, Any], position: _Position, structural: bool) -> None:
        rng = self.rng
        senior = position.level in (PositionLevel.JF_AHLI_MADYA, PositionLevel.JF_AHLI_UTAMA)
        if structural or (senior and rng.random() < 0.4):
            roll = rng.random()
            if roll < 0.8:
                profile["lhkpn_year"] = self.as_of.year
            elif roll < 0.92:
                profile["lhkpn_year"] = self.as_of.year - 1
        if rng.random() < (0.6 if structural else 0.3 if senior else 0.08):
            profile["health_certificate_date"] = (
                self.as_of - dt.timedelta(days=rng.randrange(0, 540))
            ).isoformat()

    # ------------------------------------------------------------------ records

    def _trainings(self, career: _Career) -> list[dict[str, Any]]:
        rng = self.rng
        result = []
        for segment in career.segments:
            course = _TRAINING_FOR.get(segment.level)
            if course is None:
                continue
            kind, odds = course
            if rng.random() >= odds:
                continue
            done = segment.start + dt.timedelta(days=rng.randrange(60, 730))
            if done > self.as_of:
                continue
            result.append(self._training(kind, done))
        current = career.segments[-1]
        tenure = (self.as_of - current.start).days / 365.25
        early = _EARLY_TRAINING.get(current.level)
        if early is not None and tenure >= early[1] and rng.random() < early[2]:
            done = self.as_of - dt.timedelta(days=rng.randrange(30, 400))
            result.append(self._training(early[0], max(done, current.start)))
        return result

    def _training(self, kind: Training, done: dt.date) -> dict[str, Any]:
        name = _LEGACY[kind] if done < _LEGACY_TRAINING_BEFORE else kind
        return {"kind": name.value, "completed_on": done.isoformat()}

    def _performance(self, career: _Career, trait: str) -> list[dict[str, Any]]:
        odds = _PERFORMANCE_TRAITS[trait]
        result = []
        for year in range(self.as_of.year - 3, self.as_of.year):
            if year < career.start.year:
                continue
            predicate = self.rng.choices(_PREDICATES, odds)[0]
            result.append({"year": year, "predicate": predicate})
        return result

    def _assessments(
        self, career: _Career, position: _Position, trait: str, structural: bool, pns: bool
    ) -> list[dict[str, Any]]:
        rng = self.rng
        senior = position.level in (PositionLevel.JF_AHLI_MADYA, PositionLevel.JF_AHLI_UTAMA)
        odds = 0.95 if structural else 0.85 if senior else 0.7 if pns else 0.35
        if rng.random() >= odds:
            return []
        standard = _STANDARD[position.level]
        potential = rng.choices(
            ("tinggi", "menengah", "rendah"),
            {"star": (45, 45, 10), "solid": (20, 58, 22), "weak": (6, 44, 50), "poor": (2, 28, 70)}[
                trait
            ],
        )[0]
        results = []
        count = 2 if rng.random() < 0.2 else 1
        latest = self.as_of - dt.timedelta(days=rng.randrange(30, 900))
        for index in range(count):
            day = latest - dt.timedelta(days=index * rng.randrange(380, 900))
            if day < career.start:
                break
            if structural or senior:
                method = "assessment_center" if rng.random() < 0.7 else "cact"
            else:
                method = "cact" if rng.random() < 0.8 else "uji_kompetensi"
            results.append(self._assessment(day, method, standard, potential, position))
        return results

    def _assessment(
        self, day: dt.date, method: str, standard: int, potential: str, position: _Position
    ) -> dict[str, Any]:
        rng = self.rng
        shift = {"tinggi": 0.9, "menengah": 0.3, "rendah": -0.4}[potential]
        scores = [
            {
                "competency": competency.value,
                "level": min(5, max(1, round(standard + shift + rng.gauss(0, 0.5)))),
            }
            for competency in Competency
        ]
        scores.append(
            {
                "competency": f"teknis:{_FAMILIES[position.family].technical}",
                "level": min(5, max(1, round(standard + shift + rng.gauss(0, 0.7)))),
            }
        )
        band = {"tinggi": (90.0, 99.5), "menengah": (78.0, 89.99), "rendah": (60.0, 77.99)}
        measured = potential
        if rng.random() < 0.1:
            measured = rng.choice(("tinggi", "menengah", "rendah"))
        jpm = round(rng.uniform(*band[measured]), 2)
        return {
            "assessed_on": day.isoformat(),
            "method": method,
            "jpm": jpm,
            "potential": potential,
            "scores": scores,
        }

    def _penalties(self, career: _Career, trait: str, structural: bool) -> list[dict[str, Any]]:
        rng = self.rng
        factor = 3.0 if trait in ("weak", "poor") else 1.0
        roll = rng.random()
        if roll < 0.0025 * factor and not structural:
            level = PenaltyLevel.BERAT
        elif roll < 0.0105 * factor:
            level = PenaltyLevel.SEDANG
        elif roll < 0.0355 * factor:
            level = PenaltyLevel.RINGAN
        else:
            return []
        earliest = max(
            career.start + dt.timedelta(days=365), self.as_of - dt.timedelta(days=6 * 365)
        )
        if earliest >= self.as_of:
            return []
        start = earliest + dt.timedelta(days=rng.randrange(0, (self.as_of - earliest).days))
        kinds = [kind for kind in PenaltyType if kind.level is level]
        if level is PenaltyLevel.BERAT:
            kinds = [kind for kind in kinds if kind is not PenaltyType.PEMBERHENTIAN]
        kind = rng.choice(kinds)
        months = {
            PenaltyType.POTONGAN_TUKIN_6: 6,
            PenaltyType.POTONGAN_TUKIN_9: 9,
            PenaltyType.POTONGAN_TUKIN_12: 12,
            PenaltyType.PENURUNAN_JABATAN: 12,
            PenaltyType.PEMBEBASAN_JABATAN: 12,
        }.get(kind)
        end = _add_months(start, months) - dt.timedelta(days=1) if months else None
        return [
            {
                "level": level.value,
                "type": kind.value,
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else None,
            }
        ]


@dataclass(frozen=True, slots=True)
class _Segment:
    title: str
    level: PositionLevel
    unit: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class _Career:
    start: dt.date
    """TMT CPNS, or the PPPK appointment."""
    birth: dt.date
    degree: str
    """Education at entry."""
    segments: list[_Segment]


_SECRETARY: Final = {
    "SETDA": "Kepala Bagian Umum",
    "INSPEKTORAT": "Sekretaris Inspektorat",
    "SESTAMA": "Kepala Biro Umum",
}
"""The administrator heading a unit's secretariat, where it is not "Sekretaris <unit>"."""
_LADDER: Final = {
    PositionLevel.PENGAWAS: ((0.3, 9.0), ((PositionLevel.PELAKSANA, (4.0, 12.0)),)),
    PositionLevel.ADMINISTRATOR: (
        (0.3, 8.0),
        ((PositionLevel.PENGAWAS, (3.0, 7.0)), (PositionLevel.PELAKSANA, (4.0, 10.0))),
    ),
    PositionLevel.JPT_PRATAMA: (
        (0.2, 8.0),
        (
            (PositionLevel.ADMINISTRATOR, (2.0, 7.0)),
            (PositionLevel.PENGAWAS, (3.0, 5.0)),
            (PositionLevel.PELAKSANA, (4.0, 8.0)),
        ),
    ),
    PositionLevel.JPT_MADYA: (
        (0.2, 5.0),
        (
            (PositionLevel.JPT_PRATAMA, (2.0, 6.0)),
            (PositionLevel.ADMINISTRATOR, (2.0, 5.0)),
            (PositionLevel.PENGAWAS, (3.0, 4.0)),
            (PositionLevel.PELAKSANA, (4.0, 6.0)),
        ),
    ),
    PositionLevel.JPT_UTAMA: (
        (0.5, 4.0),
        (
            (PositionLevel.JPT_MADYA, (2.0, 5.0)),
            (PositionLevel.JPT_PRATAMA, (2.0, 4.0)),
            (PositionLevel.ADMINISTRATOR, (2.0, 4.0)),
            (PositionLevel.PENGAWAS, (3.0, 4.0)),
            (PositionLevel.PELAKSANA, (4.0, 5.0)),
        ),
    ),
}
"""Structural careers: (current tenure, earlier steps newest first) in years (PP 11/2017)."""
_ENTRY_AGE: Final = {
    "SMA": (19.0, 26.0),
    "D-III": (21.5, 28.0),
    "S1": (23.0, 31.0),
    "D-IV": (22.5, 27.0),
    "S2": (26.0, 34.0),
}
_LATER_MASTER: Final = {
    PositionLevel.PENGAWAS: 0.2,
    PositionLevel.ADMINISTRATOR: 0.45,
    PositionLevel.JPT_PRATAMA: 0.8,
    PositionLevel.JPT_MADYA: 0.95,
    PositionLevel.JPT_UTAMA: 0.95,
    PositionLevel.JF_AHLI_MADYA: 0.5,
    PositionLevel.JF_AHLI_UTAMA: 0.8,
}
_DOCTORATE: Final = (
    PositionLevel.JPT_PRATAMA,
    PositionLevel.JPT_MADYA,
    PositionLevel.JPT_UTAMA,
    PositionLevel.JF_AHLI_UTAMA,
)
_TRAINING_FOR: Final = {
    PositionLevel.PENGAWAS: (Training.PKP, 0.85),
    PositionLevel.ADMINISTRATOR: (Training.PKA, 0.9),
    PositionLevel.JPT_PRATAMA: (Training.PKN_II, 0.85),
    PositionLevel.JPT_MADYA: (Training.PKN_I, 0.6),
}
"""The leadership training taken within two years of each appointment, and how often."""
_EARLY_TRAINING: Final = {
    PositionLevel.PENGAWAS: (Training.PKA, 3.0, 0.35),
    PositionLevel.ADMINISTRATOR: (Training.PKN_II, 2.0, 0.25),
}
"""Training for the next level some take early: (course, years in post, odds)."""


def _years(years: float) -> dt.timedelta:
    return dt.timedelta(days=round(years * 365.25))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
