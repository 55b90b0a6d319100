"""The data the demo generator draws from: Banten's agencies, units and people, and the ASN norms.

Only tables live here; how they are drawn from is in the generator's modules (organisation,
people, careers, history). The agencies are BKN, the province and its eight regencies and
cities; the units are real *perangkat daerah*; the norms are PP 11/2017 (minimum tenures),
UU 20/2023 (retirement ages), PerLAN 15/2019 (leadership trainings) and PermenPANRB 38/2017
(the competency standard: the per-level figures are the commonly cited, unconfirmed ones).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from rules.vocab import PositionLevel, TenantLevel, Training

# ------------------------------------------------------------------ the agencies and their units


@dataclass(frozen=True, slots=True)
class TenantDef:
    code: str
    name: str
    level: TenantLevel
    parent: str | None
    weight: int
    place: str


TENANTS: Final = (
    TenantDef("BKN", "Badan Kepegawaian Negara", TenantLevel.NATIONAL, None, 3, "Jakarta"),
    TenantDef("BANTEN", "Pemerintah Provinsi Banten", TenantLevel.PROVINCE, "BKN", 22, "Serang"),
    TenantDef(
        "KAB-SERANG", "Pemerintah Kabupaten Serang", TenantLevel.REGENCY, "BANTEN", 10, "Serang"
    ),
    TenantDef(
        "KAB-PANDEGLANG",
        "Pemerintah Kabupaten Pandeglang",
        TenantLevel.REGENCY,
        "BANTEN",
        9,
        "Pandeglang",
    ),
    TenantDef(
        "KAB-LEBAK", "Pemerintah Kabupaten Lebak", TenantLevel.REGENCY, "BANTEN", 9, "Rangkasbitung"
    ),
    TenantDef(
        "KAB-TANGERANG",
        "Pemerintah Kabupaten Tangerang",
        TenantLevel.REGENCY,
        "BANTEN",
        15,
        "Tigaraksa",
    ),
    TenantDef(
        "KOTA-TANGERANG", "Pemerintah Kota Tangerang", TenantLevel.CITY, "BANTEN", 11, "Tangerang"
    ),
    TenantDef("KOTA-CILEGON", "Pemerintah Kota Cilegon", TenantLevel.CITY, "BANTEN", 6, "Cilegon"),
    TenantDef("KOTA-SERANG", "Pemerintah Kota Serang", TenantLevel.CITY, "BANTEN", 7, "Serang"),
    TenantDef(
        "KOTA-TANGSEL",
        "Pemerintah Kota Tangerang Selatan",
        TenantLevel.CITY,
        "BANTEN",
        8,
        "Tangerang Selatan",
    ),
)


@dataclass(frozen=True, slots=True)
class Family:
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


FAMILIES: Final = {
    "pemerintahan": Family(
        ("Ilmu Pemerintahan", "Administrasi Negara", "Hukum", "Ilmu Politik"),
        "S.IP.",
        "M.Si.",
        (("AKP", "Analis Kebijakan"),),
        ("Pemerintahan", "Kesejahteraan Rakyat", "Hukum", "Organisasi"),
        "tata_kelola_pemerintahan",
        ("ARS", "Arsiparis"),
    ),
    "keuangan": Family(
        ("Akuntansi", "Manajemen", "Ekonomi Pembangunan"),
        "S.E.",
        "M.Ak.",
        (("AKPD", "Analis Keuangan Pusat dan Daerah"), ("PKD", "Pengelola Pengadaan Barang/Jasa")),
        ("Anggaran", "Perbendaharaan", "Akuntansi", "Aset"),
        "pengelolaan_keuangan_daerah",
        ("BND", "Bendahara"),
        strict=True,
    ),
    "sdm": Family(
        ("Administrasi Negara", "Manajemen Sumber Daya Manusia", "Psikologi", "Hukum"),
        "S.AP.",
        "M.AP.",
        (("ASDM", "Analis Sumber Daya Manusia Aparatur"), ("ASR", "Asesor SDM Aparatur")),
        ("Mutasi dan Promosi", "Pengembangan Kompetensi", "Penilaian Kinerja", "Informasi ASN"),
        "manajemen_sdm_aparatur",
        ("PKP", "Pranata SDM Aparatur"),
    ),
    "perencanaan": Family(
        ("Perencanaan Wilayah dan Kota", "Ekonomi Pembangunan", "Statistika"),
        "S.T.",
        "M.E.",
        (("PRC", "Perencana"), ("STA", "Statistisi")),
        ("Perencanaan Makro", "Infrastruktur dan Kewilayahan", "Sosial Budaya", "Litbang"),
        "perencanaan_pembangunan",
        strict=True,
    ),
    "pengawasan": Family(
        ("Akuntansi", "Hukum", "Manajemen"),
        "S.Ak.",
        "M.Ak.",
        (("AUD", "Auditor"), ("P2UPD", "Pengawas Penyelenggaraan Urusan Pemerintahan Daerah")),
        ("Inspektur Pembantu I", "Inspektur Pembantu II", "Inspektur Pembantu III"),
        "audit_intern",
        strict=True,
    ),
    "pendidikan": Family(
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
    "kesehatan": Family(
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
    "teknik": Family(
        ("Teknik Sipil", "Arsitektur", "Perencanaan Wilayah dan Kota"),
        "S.T.",
        "M.T.",
        (("TJJ", "Teknik Jalan dan Jembatan"), ("PTR", "Penata Ruang")),
        ("Bina Marga", "Sumber Daya Air", "Cipta Karya", "Tata Ruang"),
        "infrastruktur",
        ("TPS", "Teknisi Penyehatan Lingkungan"),
        strict=True,
    ),
    "informatika": Family(
        ("Informatika", "Sistem Informasi", "Teknik Elektro", "Statistika"),
        "S.Kom.",
        "M.Kom.",
        (("PKOM", "Pranata Komputer"), ("PHM", "Pranata Hubungan Masyarakat")),
        ("Aplikasi Informatika", "Persandian", "Statistik", "Informasi Publik"),
        "teknologi_informasi",
        ("PKOMT", "Pranata Komputer"),
        strict=True,
    ),
    "sosial": Family(
        ("Kesejahteraan Sosial", "Sosiologi", "Psikologi"),
        "S.Sos.",
        "M.Si.",
        (("PSOS", "Pekerja Sosial"), ("PSM", "Penyuluh Sosial")),
        ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial"),
        "rehabilitasi_sosial",
    ),
    "ekonomi": Family(
        ("Ekonomi Pembangunan", "Manajemen", "Agribisnis"),
        "S.E.",
        "M.E.",
        (("PPG", "Pengawas Perdagangan"), ("PNK", "Penyuluh Perindustrian")),
        ("Perdagangan", "Perindustrian", "Penanaman Modal", "Pengembangan Usaha"),
        "pengembangan_ekonomi",
    ),
    "pertanian": Family(
        ("Agribisnis", "Agroteknologi", "Perikanan", "Peternakan"),
        "S.P.",
        "M.P.",
        (("PPT", "Penyuluh Pertanian"), ("PHP", "Pengendali Organisme Pengganggu Tumbuhan")),
        ("Tanaman Pangan", "Hortikultura", "Peternakan", "Perikanan"),
        "penyuluhan_pertanian",
        ("PPTT", "Penyuluh Pertanian"),
    ),
    "lingkungan": Family(
        ("Teknik Lingkungan", "Biologi", "Kimia"),
        "S.T.",
        "M.Si.",
        (("PDL", "Pengendali Dampak Lingkungan"), ("PLH", "Penyuluh Lingkungan Hidup")),
        ("Tata Lingkungan", "Pengelolaan Sampah", "Pengendalian Pencemaran"),
        "pengendalian_lingkungan",
    ),
    "ketertiban": Family(
        ("Ilmu Pemerintahan", "Hukum"),
        "S.H.",
        "M.H.",
        (("PPNS", "Polisi Pamong Praja"),),
        ("Ketertiban Umum", "Penegakan Perda", "Perlindungan Masyarakat"),
        "ketertiban_umum",
        ("POLPP", "Polisi Pamong Praja"),
    ),
    "perhubungan": Family(
        ("Teknik Sipil", "Transportasi", "Manajemen"),
        "S.T.",
        "M.T.",
        (("PKB", "Penguji Kendaraan Bermotor"), ("AMD", "Analis Lalu Lintas")),
        ("Lalu Lintas", "Angkutan", "Sarana dan Prasarana"),
        "transportasi",
        ("PKBT", "Penguji Kendaraan Bermotor"),
    ),
}

REGIONAL_UNITS: Final = (
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

NATIONAL_UNITS: Final = (
    ("SESTAMA", "Sekretariat Utama", "sdm", 3),
    ("DEPMUTASI", "Deputi Bidang Mutasi Kepegawaian", "sdm", 3),
    ("DEPSINKA", "Deputi Bidang Sistem Informasi Kepegawaian", "informatika", 2),
    ("DEPWASDAL", "Deputi Bidang Pengawasan dan Pengendalian", "pengawasan", 2),
    ("DEPBINMAN", "Deputi Bidang Pembinaan Manajemen Kepegawaian", "sdm", 2),
    ("KANREG3", "Kantor Regional III BKN", "sdm", 3),
)

SECRETARY: Final = {
    "SETDA": "Kepala Bagian Umum",
    "INSPEKTORAT": "Sekretaris Inspektorat",
    "SESTAMA": "Kepala Biro Umum",
}
"""The administrator heading a unit's secretariat, where it is not "Sekretaris <unit>"."""

JF_LEVELS: Final = (
    (PositionLevel.JF_AHLI_PERTAMA, "AP", "Ahli Pertama"),
    (PositionLevel.JF_AHLI_MUDA, "AM", "Ahli Muda"),
    (PositionLevel.JF_AHLI_MADYA, "AMD", "Ahli Madya"),
    (PositionLevel.JF_AHLI_UTAMA, "AU", "Ahli Utama"),
)

PELAKSANA: Final = (
    ("ADM", "Pengadministrasi Perkantoran"),
    ("DATA", "Pengolah Data dan Informasi"),
    ("LAY", "Penata Layanan Operasional"),
)

STANDARD: Final = {
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

# ------------------------------------------------------------------ people and their schools

MALE_NAMES: Final = (
    "Ahmad", "Agus", "Asep", "Budi", "Dedi", "Dadang", "Eko", "Fajar", "Hendra", "Iwan",
    "Jajang", "Rudi", "Ujang", "Yusuf", "Rizky", "Muhammad", "Deni", "Ade", "Andi", "Bambang",
    "Cecep", "Dian", "Endang", "Firman", "Gilang", "Hadi", "Irfan", "Lukman", "Nana", "Rahmat",
    "Syarif", "Wawan", "Yayan", "Zaenal", "Aris", "Dodi", "Heri", "Iman", "Mamat", "Ridwan",
)  # fmt: skip

FEMALE_NAMES: Final = (
    "Siti", "Nur", "Dewi", "Sri", "Rina", "Ani", "Euis", "Neneng", "Fitri", "Intan",
    "Lilis", "Maya", "Nia", "Putri", "Rini", "Santi", "Tuti", "Wulan", "Yuli", "Ayu",
    "Dina", "Eka", "Heni", "Ika", "Kiki", "Lina", "Mega", "Novi", "Ratna", "Sari",
    "Tika", "Yanti", "Desi", "Evi", "Leni", "Nining", "Ai", "Iis", "Elis", "Susi",
)  # fmt: skip

MALE_SURNAMES: Final = (
    "Hidayat", "Saputra", "Suryana", "Rahman", "Hermawan", "Kurniawan", "Permana", "Setiawan",
    "Nugraha", "Firmansyah", "Maulana", "Mulyana", "Sulaeman", "Wahyudi", "Gunawan", "Sopian",
    "Hakim", "Syahputra", "Ramdani", "Fauzi", "Supriadi", "Munandar", "Iskandar", "Ruhiyat",
)  # fmt: skip

FEMALE_SURNAMES: Final = (
    "Rohmawati", "Nurhayati", "Handayani", "Lestari", "Rahmawati", "Susanti", "Fitriani",
    "Marlina", "Kartika", "Purnamasari", "Yuliani", "Suryani", "Anggraeni", "Hasanah",
    "Wulandari", "Maryani", "Nurjanah", "Komalasari", "Sulastri", "Herawati", "Fauziah",
)  # fmt: skip

UNIVERSITIES: Final = (
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

POLYTECHNICS: Final = (
    "Politeknik Negeri Jakarta",
    "Politeknik Keuangan Negara STAN",
    "Poltekkes Kemenkes Banten",
    "Akademi Keperawatan Pemkab Serang",
    "Politeknik LP3I Jakarta",
)

DIPLOMA_FIELDS: Final = (
    "Administrasi Perkantoran",
    "Akuntansi",
    "Keperawatan",
    "Teknik Komputer",
    "Kebidanan",
    "Manajemen Informatika",
)

# ------------------------------------------------------------------ careers and ranks

LADDER: Final = {
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

ENTRY_AGE: Final = {
    "SMA": (19.0, 26.0),
    "D-III": (21.5, 28.0),
    "S1": (23.0, 31.0),
    "D-IV": (22.5, 27.0),
    "S2": (26.0, 34.0),
}

RETIREMENT_AGE: Final = {
    PositionLevel.JPT_UTAMA: 60,
    PositionLevel.JPT_MADYA: 60,
    PositionLevel.JPT_PRATAMA: 60,
    PositionLevel.JF_AHLI_UTAMA: 65,
    PositionLevel.JF_AHLI_MADYA: 60,
}
"""*Batas usia pensiun* (UU 20/2023 Art. 55); 58 for every other level."""

ENTRY_RANK: Final = {"SMA": "II/a", "D-III": "II/c", "S1": "III/a", "D-IV": "III/a", "S2": "III/b"}

RANK_CEILING: Final = {
    "SMA": "III/b",
    "D-III": "III/c",
    "S1": "III/d",
    "D-IV": "III/d",
    "S2": "IV/a",
    "S3": "IV/b",
}
"""The highest rank regular promotion (*kenaikan pangkat reguler*) reaches per education."""

RANK_RANGE: Final = {
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

LATER_MASTER: Final = {
    PositionLevel.PENGAWAS: 0.2,
    PositionLevel.ADMINISTRATOR: 0.45,
    PositionLevel.JPT_PRATAMA: 0.8,
    PositionLevel.JPT_MADYA: 0.95,
    PositionLevel.JPT_UTAMA: 0.95,
    PositionLevel.JF_AHLI_MADYA: 0.5,
    PositionLevel.JF_AHLI_UTAMA: 0.8,
}

DOCTORATE: Final = (
    PositionLevel.JPT_PRATAMA,
    PositionLevel.JPT_MADYA,
    PositionLevel.JPT_UTAMA,
    PositionLevel.JF_AHLI_UTAMA,
)

# ------------------------------------------------------------------ trainings and performance

TRAINING_FOR: Final = {
    PositionLevel.PENGAWAS: (Training.PKP, 0.85),
    PositionLevel.ADMINISTRATOR: (Training.PKA, 0.9),
    PositionLevel.JPT_PRATAMA: (Training.PKN_II, 0.85),
    PositionLevel.JPT_MADYA: (Training.PKN_I, 0.6),
}
"""The leadership training taken within two years of each appointment, and how often."""

EARLY_TRAINING: Final = {
    PositionLevel.PENGAWAS: (Training.PKA, 3.0, 0.35),
    PositionLevel.ADMINISTRATOR: (Training.PKN_II, 2.0, 0.25),
}
"""Training for the next level some take early: (course, years in post, odds)."""

LEGACY_TRAINING_BEFORE: Final = dt.date(2020, 1, 1)
"""PerLAN 15/2019 renamed Diklatpim IV/III/II/I to PKP/PKA/PKN II/PKN I."""

LEGACY: Final = {
    Training.PKP: Training.DIKLATPIM_IV,
    Training.PKA: Training.DIKLATPIM_III,
    Training.PKN_II: Training.DIKLATPIM_II,
    Training.PKN_I: Training.DIKLATPIM_I,
}

PREDICATES: Final = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")

PERFORMANCE_TRAITS: Final = {
    "star": (0.70, 0.30, 0.0, 0.0, 0.0),
    "solid": (0.08, 0.88, 0.04, 0.0, 0.0),
    "weak": (0.0, 0.45, 0.45, 0.10, 0.0),
    "poor": (0.0, 0.0, 0.30, 0.45, 0.25),
}
"""Yearly predicate odds per person type; overall ≈ 16% SB, 71% B, 9% BP, 3% K, 1% SK."""
