"""The personnel registry: NIP rules, bulk import, demo data and scoped queries.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.registry.demo import seed_demo, write_demo_files
from workflow.registry.importing import (
    MAX_PROBLEMS,
    ImportFile,
    ImportNotClaimed,
    ImportRejected,
    ImportReport,
    Progress,
    RowRejected,
    RowValidator,
    collect_files,
    import_registry,
)
from workflow.registry.queries import (
    EmployeeFilter,
    PositionFilter,
    get_employee,
    get_position,
    get_tenant,
    list_employees,
    list_positions,
    list_tenants,
)
from workflow.registry.records import RecordType
from workflow.registry.uploads import upload_for_agency, upload_registry

__all__ = [
    "MAX_PROBLEMS",
    "EmployeeFilter",
    "ImportFile",
    "ImportNotClaimed",
    "ImportRejected",
    "ImportReport",
    "PositionFilter",
    "Progress",
    "RecordType",
    "RowRejected",
    "RowValidator",
    "collect_files",
    "get_employee",
    "get_position",
    "get_tenant",
    "import_registry",
    "list_employees",
    "list_positions",
    "list_tenants",
    "seed_demo",
    "upload_for_agency",
    "upload_registry",
    "write_demo_files",
]
