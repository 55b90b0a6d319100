"""The registry import: CSV sets and JSON profiles in, one transaction, a report out."""

from workflow.registry.importing.formats import ImportFile
from workflow.registry.importing.use_case import (
    MAX_PROBLEMS,
    ImportRejected,
    ImportReport,
    Progress,
    RowRejected,
    RowValidator,
    collect_files,
    import_registry,
)

__all__ = [
    "MAX_PROBLEMS",
    "ImportFile",
    "ImportRejected",
    "ImportReport",
    "Progress",
    "RowRejected",
    "RowValidator",
    "collect_files",
    "import_registry",
]
