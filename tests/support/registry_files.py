"""A small, valid registry import (a CSV set) that tests copy and break one file at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import func, select

import workflow.models
from workflow.core.db import Database
from workflow.models import registry

REGISTRY_MODELS = (
    registry.Tenant,
    registry.Position,
    registry.PositionCompetency,
    registry.Employee,
    *registry.REGISTRY_CHILD_TABLES,
    registry.AssessmentScore,
)

TODAY = dt.date(2026, 7, 1)
NOW = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
AHMAD = "198501012010031002"
DEDI = "197803122003121001"
SITI = "199002152022212003"

VALID_SET: Mapping[str, str] = {
    "tenants.csv": """\
code,name,level,parent_code
BKN,Badan Kepegawaian Negara,national,
BANTEN,Pemerintah Provinsi Banten,province,BKN
KOTA-SERANG,Pemerintah Kota Serang,city,BANTEN
""",
    "positions.csv": """\
tenant_code,code,title,level,unit,is_key,required_education_fields
KOTA-SERANG,BKPSDM-KEPALA,Kepala BKPSDM,jpt_pratama,BKPSDM,true,Administrasi Negara|Manajemen
KOTA-SERANG,BKPSDM-ASDM-AM,Analis SDM Aparatur Ahli Muda,jf_ahli_muda,BKPSDM,false,
""",
    "position_competencies.csv": """\
tenant_code,position_code,competency,required_level
KOTA-SERANG,BKPSDM-KEPALA,integritas,4
KOTA-SERANG,BKPSDM-KEPALA,teknis:manajemen_sdm_aparatur,4
KOTA-SERANG,BKPSDM-ASDM-AM,integritas,2
""",
    "employees.csv": f"""\
nip,name,birth_date,gender,tenant_code,employment_type,rank,rank_tmt,position_code,lhkpn_year,\
health_certificate_date,disciplinary_case_pending
{AHMAD},"Ahmad Fauzi, S.E.",1985-01-01,M,KOTA-SERANG,PNS,III/c,2018-04-01,BKPSDM-ASDM-AM,2025,\
2026-01-10,false
{DEDI},"Dedi Hermawan, S.AP., M.AP.",1978-03-12,M,KOTA-SERANG,PNS,IV/a,2019-10-01,BKPSDM-KEPALA,\
2026,,
{SITI},Siti Rohmah,1990-02-15,F,KOTA-SERANG,PPPK,,,,,,
""",
    "education.csv": f"""\
nip,level,field,year,institution
{AHMAD},S1,Administrasi Negara,2007,Universitas Sultan Ageng Tirtayasa
{DEDI},S1,Administrasi Negara,2001,Universitas Padjadjaran
{DEDI},S2,Administrasi Publik,2010,Universitas Indonesia
{SITI},S1,Pendidikan,2012,
""",
    "position_history.csv": f"""\
nip,title,level,unit,start_date,end_date
{AHMAD},Pengadministrasi Perkantoran,pelaksana,BKPSDM,2010-03-01,2016-12-31
{AHMAD},Analis SDM Aparatur Ahli Muda,jf_ahli_muda,BKPSDM,2017-01-01,
{DEDI},Kepala Seksi Mutasi,pengawas,BKPSDM,2008-01-01,2014-12-31
{DEDI},Kepala Bidang Mutasi,administrator,BKPSDM,2015-01-01,2020-12-31
{DEDI},Kepala BKPSDM,jpt_pratama,BKPSDM,2021-01-01,
{SITI},Guru Ahli Pertama,jf_ahli_pertama,Dinas Pendidikan,2022-03-01,
""",
    "trainings.csv": f"""\
nip,kind,completed_on
{DEDI},Diklatpim IV,2009-05-20
{DEDI},PKA,2016-06-01
""",
    "performance.csv": f"""\
nip,year,predicate
{AHMAD},2024,Baik
{AHMAD},2025,Sangat Baik
{DEDI},2025,Baik
{SITI},2025,Baik
""",
    "assessments.csv": f"""\
nip,assessed_on,method,jpm,potential
{AHMAD},2025-06-10,assessment_center,86.5,menengah
{DEDI},2024-11-02,assessment_center,91.20,tinggi
""",
    "assessment_scores.csv": f"""\
nip,assessed_on,method,competency,level
{AHMAD},2025-06-10,assessment_center,integritas,3
{AHMAD},2025-06-10,assessment_center,kerja_sama,3
{DEDI},2024-11-02,assessment_center,integritas,4
""",
    "penalties.csv": f"""\
nip,level,type,start_date,end_date
{SITI},ringan,teguran_lisan,2024-05-02,
""",
}
VALID_ROWS = 33


def write_set(directory: Path, changes: Mapping[str, str | bytes | None] | None = None) -> Path:
    """Write the valid set into ``directory`` with some files replaced (bytes/str) or left out."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = {**VALID_SET, **(changes or {})}
    for name, content in files.items():
        if content is None:
            continue
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return directory


def replace_line(name: str, number: int, line: str) -> str:
    """Return file ``name`` of the valid set with line ``number`` (1 = header) replaced."""
    lines = VALID_SET[name].splitlines()
    lines[number - 1] = line
    return "\n".join(lines) + "\n"


def line_of(name: str, number: int) -> str:
    """Return line ``number`` (1 = header) of file ``name`` of the valid set."""
    return VALID_SET[name].splitlines()[number - 1]


def table_counts(db: Database) -> dict[str, int]:
    """Return the number of rows in every table of the registry."""
    registry = {model.__table__.name for model in REGISTRY_MODELS}
    with db.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in workflow.models.Base.metadata.sorted_tables
            if table.name in registry
        }
