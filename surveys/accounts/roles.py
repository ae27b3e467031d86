"""The portal's roles (vai trò) as Django groups and the permissions each grants.

Kept as data here so that the migration that creates the groups and the tests that check
the permission matrix read the same table.
"""
from __future__ import annotations

ADMIN = "Quản trị Sở Nội vụ"
STAFF = "Cán bộ Sở Nội vụ"
ENTRY = "Cán bộ nhập liệu"
AGENCY = "Cán bộ cơ quan"
LEADER = "Lãnh đạo UBND tỉnh"
SUPERVISOR = "Giám sát (MTTQ, Hội CCB)"

ALL_ROLES = (ADMIN, STAFF, ENTRY, AGENCY, LEADER, SUPERVISOR)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ADMIN: (
        "manage_rounds", "enter_responses", "enter_any_agency", "view_all_results", "download_reports",
        "supervise", "manage_users", "recompute_indexes",
    ),
    STAFF: ("manage_rounds", "enter_responses", "enter_any_agency", "view_all_results", "download_reports",
            "recompute_indexes"),
    ENTRY: ("enter_responses",),
    AGENCY: ("view_own_results",),
    LEADER: ("view_all_results", "download_reports"),
    SUPERVISOR: ("supervise", "view_all_results"),
}

# Apps whose models the administrators may see in the admin site (/quan-tri/). Not `auth`:
# users and roles are managed only through the portal's pages and their rules (surveys.accounts.users).
ADMIN_SITE_APPS = ("surveys", "indexes", "reporting")
