"""Roles, permissions (`<object>:<verb>`) and the role → permission map."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TEAM_LEAD = "team_lead"
    TEAM_MEMBER = "team_member"
    UNIT_EDITOR = "unit_editor"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "系统管理员",
    Role.TEAM_LEAD: "监督单位负责人",
    Role.TEAM_MEMBER: "监督单位工作人员",
    Role.UNIT_EDITOR: "单位填报人员",
}


class Permission(StrEnum):
    DASHBOARD_READ = "dashboard:read"
    UNIT_READ = "unit:read"
    UNIT_UPDATE = "unit:update"
    TEAM_READ = "team:read"
    TEAM_CREATE = "team:create"
    TEAM_UPDATE = "team:update"
    USER_READ = "user:read"
    USER_CREATE = "user:create"
    USER_UPDATE = "user:update"
    AUDIT_READ = "audit:read"
    # Every signed-in user may change their own password.
    ACCOUNT_SELF = "account:self"
    POWERLIST_EDIT = "powerlist:edit"
    POWERLIST_REVIEW = "powerlist:review"
    POWERLIST_PUBLISH = "powerlist:publish"
    STANDARDLIST_MANAGE = "standardlist:manage"
    # Work calendar overrides and deadline policies (admin only: ROLE_PERMISSIONS gives admins all).
    CALENDAR_MANAGE = "calendar:manage"
    # The notification outbox (admin only): see delivery status, retry dead messages.
    NOTIFY_READ = "notify:read"
    NOTIFY_MANAGE = "notify:manage"
    # Tickets (§6). Every check is repeated on the object: team tickets need membership of the
    # ticket's team (admins are no exception), unit editors see only tickets forwarded to them.
    TICKET_READ = "ticket:read"
    TICKET_TRIAGE = "ticket:triage"  # accept, reject, merge, forward, answer, notes
    TICKET_ASSIGN = "ticket:assign"  # lead: choose the member who handles a ticket
    TICKET_DISPOSE = "ticket:dispose"  # lead: approve dispositions and close tickets
    TICKET_REVEAL_IDENTITY = "ticket:reveal_identity"  # with a reason, audited
    TICKET_HANDLE = "ticket:handle"  # unit editor: reply to or return a forwarded ticket
    TICKET_CREATE_ON_BEHALF = "ticket:create_on_behalf"  # hotline, visit, letter
    CATEGORY_MANAGE = "category:manage"  # admin: complaint categories
    # Supervision (§7). Object checks scope each to the notice's team or addressed unit.
    NOTICE_READ = "notice:read"  # team roles and the addressed unit's editors
    NOTICE_ISSUE = "notice:issue"  # lead: issue notices, accept or return the unit's report
    NOTICE_RESPOND = "notice:respond"  # unit editor: sign for a notice and answer it
    LEDGER_READ = "ledger:read"
    LEDGER_MANAGE = "ledger:manage"  # team: create entries, verify (销号)
    LEDGER_REPORT = "ledger:report"  # unit editor: progress notes, evidence, submit for checking
    INSPECTION_MANAGE = "inspection:manage"
    TALK_READ = "talk:read"  # only ever the talk's own team, admins included (policies)
    TALK_MANAGE = "talk:manage"
    # Statistics (§8): team roles see their team's figures, admins the county's.
    STATS_READ = "stats:read"
    STATS_CONFIGURE = "stats:configure"  # admin: the 三率 formulas


_STAFF = {Permission.DASHBOARD_READ, Permission.UNIT_READ, Permission.ACCOUNT_SELF}
_TEAM = _STAFF | {
    Permission.TEAM_READ,
    Permission.TICKET_READ,
    Permission.TICKET_TRIAGE,
    Permission.TICKET_REVEAL_IDENTITY,
    Permission.TICKET_CREATE_ON_BEHALF,
    Permission.NOTICE_READ,
    Permission.LEDGER_READ,
    Permission.LEDGER_MANAGE,
    Permission.INSPECTION_MANAGE,
    Permission.TALK_READ,
    Permission.TALK_MANAGE,
    Permission.STATS_READ,
}
_LEAD = _TEAM | {Permission.TICKET_ASSIGN, Permission.TICKET_DISPOSE, Permission.NOTICE_ISSUE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.TEAM_LEAD: frozenset(_LEAD | {Permission.POWERLIST_REVIEW, Permission.POWERLIST_PUBLISH}),
    Role.TEAM_MEMBER: frozenset(_TEAM | {Permission.POWERLIST_REVIEW}),
    Role.UNIT_EDITOR: frozenset(
        _STAFF
        | {
            Permission.POWERLIST_EDIT,
            Permission.TICKET_READ,
            Permission.TICKET_HANDLE,
            Permission.NOTICE_READ,
            Permission.NOTICE_RESPOND,
            Permission.LEDGER_READ,
            Permission.LEDGER_REPORT,
        }
    ),
}


def permissions_for_roles(roles: set[Role]) -> frozenset[Permission]:
    """Union of what each role may do."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
