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

Where what is: :mod:`.data` holds the tables (agencies, units, fields of work, names, schools,
the ASN norms and odds); the generator draws from them, one concern a module:
:mod:`.organisation` (units and positions), :mod:`.people` (who holds what; profiles, NIPs,
names, education, documents), :mod:`.careers` (position histories and ranks), :mod:`.history`
(trainings, predicates, assessments, penalties); :mod:`.files` writes the import files and
loads them. The same seed and reference date give byte-identical files.
"""

from workflow.registry.demo.files import DemoFiles, DemoFormat, seed_demo, write_demo_files

__all__ = ["DemoFiles", "DemoFormat", "seed_demo", "write_demo_files"]
