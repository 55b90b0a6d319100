"""Identity: users, roles, bearer tokens, delegations, their administration, the demo accounts, and
the personal-data access log.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.identity.access_log import AccessFilter, AccessRecorder, list_accesses
from workflow.identity.accounts import (
    IssuedToken,
    LiveDelegation,
    act_on_behalf,
    actor_by_username,
    actor_named,
    create_delegation,
    create_user,
    delegations_to,
    issue_token,
    revoke_tokens,
)
from workflow.identity.admin import (
    TokenView,
    UserChanges,
    UserView,
    create_agency_user,
    get_user,
    issue_user_token,
    list_user_tokens,
    list_users,
    revoke_user_token,
    set_user_password,
    update_user,
    usernames,
)
from workflow.identity.authentication import UNAUTHENTICATED, ThrottlePolicy, authenticate_bearer
from workflow.identity.demo import ensure_demo_users
from workflow.identity.passwords import (
    BAD_CREDENTIALS,
    MIN_PASSWORD_LENGTH,
    active_actor,
    authenticate_password,
    set_password,
)

__all__ = [
    "BAD_CREDENTIALS",
    "MIN_PASSWORD_LENGTH",
    "UNAUTHENTICATED",
    "AccessFilter",
    "AccessRecorder",
    "IssuedToken",
    "LiveDelegation",
    "ThrottlePolicy",
    "TokenView",
    "UserChanges",
    "UserView",
    "act_on_behalf",
    "active_actor",
    "actor_by_username",
    "actor_named",
    "authenticate_bearer",
    "authenticate_password",
    "create_agency_user",
    "create_delegation",
    "create_user",
    "delegations_to",
    "ensure_demo_users",
    "get_user",
    "issue_token",
    "issue_user_token",
    "list_accesses",
    "list_user_tokens",
    "list_users",
    "revoke_tokens",
    "revoke_user_token",
    "set_password",
    "set_user_password",
    "update_user",
    "usernames",
]
