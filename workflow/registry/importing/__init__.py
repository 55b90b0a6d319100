"""The registry import: CSV sets and JSON profiles in, one transaction, a report out.

The use case (:mod:`.use_case`) runs three passes, a module each: :mod:`.read` (stream, shape
and check each row, spool it), :mod:`.check` (the rules across rows) and :mod:`.write` (upsert
in one transaction). Beside them: :mod:`.formats` (the streaming file readers),
:mod:`.row_rules` (a row's own rules), :mod:`.spool` (rows on disk by NIP), :mod:`.digest`
(the per-employee ``record_digest``), :mod:`.store` (bulk SQL) and :mod:`.report` (problems
and the report). The names below are what the rest of the registry uses.
"""

from workflow.registry.importing.formats import ImportFile, collect_files
from workflow.registry.importing.read import RowRejected, RowValidator
from workflow.registry.importing.report import (
    MAX_PROBLEMS,
    ImportRejected,
    ImportReport,
    Progress,
)
from workflow.registry.importing.use_case import ImportNotClaimed, import_registry

__all__ = [
    "MAX_PROBLEMS",
    "ImportFile",
    "ImportNotClaimed",
    "ImportRejected",
    "ImportReport",
    "Progress",
    "RowRejected",
    "RowValidator",
    "collect_files",
    "import_registry",
]
