"""POST /staff/notices/{id}/<action> — edit, issue, sign, respond, accept, return: the change and
its audit event without JavaScript (303) and with htmx (blocks swapped, out of band), 422 with
the input kept, 403 for the wrong role, 404 out of scope, nothing changes without CSRF."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.permissions import Role
from app.audit.models import AuditEvent
from app.supervision import notices
from app.supervision.models import NoticeStatus, SupervisionNotice
from tests.factories import World, make_user
from tests.html import one, parse, text, texts
from tests.supervision.factories import draft, issued, principal
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, fragment_root, post_form

REPORT = "已重新组织低保评议并张榜公示，公开栏已更新。"


def events(session: Session, action: str, notice: SupervisionNotice) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(
                col(AuditEvent.action) == action,
                col(AuditEvent.object_type) == "supervision_notice",
                col(AuditEvent.object_id) == str(notice.id),
            )
        ).all()
    )


def _signed(session: Session, world: World) -> SupervisionNotice:
    notice = issued(session, world)
    return notices.sign_notice(
        session, principal=principal(session, world.editor), notice_id=notice.id
    )


def _responded(session: Session, world: World) -> SupervisionNotice:
    notice = _signed(session, world)
    return notices.respond_notice(
        session, principal=principal(session, world.editor), notice_id=notice.id, report=REPORT
    )


def person(session: Session, world: World, who: str) -> User:
    """A World user, or "other_lead": the lead of another team (has notice:issue, no scope)."""
    if who == "other_lead":
        return make_user(session, role=Role.TEAM_LEAD, team=world.other_team)
    user: User = getattr(world, who)
    return user


@dataclass(frozen=True)
class Case:
    action: str
    setup: Callable[[Session, World], SupervisionNotice]
    actor: str
    data: dict[str, Any]
    audit: str
    check: Callable[[SupervisionNotice], bool]
    forbidden: str  # may read the notice (or lacks the permission) → 403
    outsider: str  # has the permission but not the notice in scope → 404
    invalid: dict[str, Any] | None = None
    kept: dict[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "edit",
        draft,
        "member",
        {"title": "", "problems": "公开栏未更新", "requirements": "立即更新", "deadline_days": "7"},
        "notice.updated",
        lambda n: n.problems == "公开栏未更新" and n.deadline_days == 7,
        "admin",
        "outsider_member",
        {"problems": ""},
        {"edit-requirements": "立即更新"},
    ),
    Case(
        "issue",
        draft,
        "lead",
        {},
        "notice.issued",
        lambda n: n.status is NoticeStatus.ISSUED and n.number == f"甲纪督〔{n.year}〕1号",
        "member",
        "other_lead",
    ),
    Case(
        "sign",
        issued,
        "editor",
        {},
        "notice.signed",
        lambda n: n.status is NoticeStatus.SIGNED and n.signed_at is not None,
        "lead",
        "other_editor",
    ),
    Case(
        "respond",
        _signed,
        "editor",
        {"report": REPORT},
        "notice.responded",
        lambda n: n.status is NoticeStatus.RESPONDED and n.response == REPORT,
        "lead",
        "other_editor",
        {"report": "  "},
    ),
    Case(
        "accept",
        _responded,
        "lead",
        {"note": "整改到位"},
        "notice.accepted",
        lambda n: n.status is NoticeStatus.ACCEPTED and n.review_note == "整改到位",
        "member",
        "other_lead",
    ),
    Case(
        "return",
        _responded,
        "lead",
        {"reason": "缺少评议会议记录", "deadline_days": "3"},
        "notice.returned",
        lambda n: n.status is NoticeStatus.RETURNED and n.return_count == 1,
        "member",
        "other_lead",
        {"reason": "", "deadline_days": "3"},
        {"return-deadline_days": "3"},
    ),
]
IDS = [case.action for case in CASES]


def url(notice: SupervisionNotice, case: Case) -> str:
    return f"/staff/notices/{notice.id}/{case.action}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_without_js_redirects_and_is_audited(session, login_as, world, csrf, case):
    notice = case.setup(session, world)

    response = post_form(
        login_as(person(session, world, case.actor)), url(notice, case), csrf, case.data
    )

    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location == f"/staff/notices/{notice.id}?done={case.action}#notice-actions"
    session.refresh(notice)
    assert case.check(notice)
    assert len(events(session, case.audit, notice)) == 1
    shown = parse(login_as(person(session, world, case.actor)).get(location))
    assert text(one(shown, "#notice-actions .notice.success"))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_with_htmx_swaps_the_changed_blocks(session, login_as, world, csrf, case):
    notice = case.setup(session, world)

    response = post_form(
        login_as(person(session, world, case.actor)),
        url(notice, case),
        csrf,
        case.data,
        headers=HTMX,
    )

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    root = fragment_root(response)
    assert root["id"] == "notice-actions"
    assert one(root, ".notice.success")
    out_of_band = [el["id"] for el in parse(response).find_all(attrs={"hx-swap-oob": "true"})]
    assert {"notice-header", "notice-timeline", "notice-deadline"} <= set(out_of_band)
    assert len(events(session, case.audit, notice)) == 1


@pytest.mark.parametrize("case", [c for c in CASES if c.invalid], ids=lambda c: c.action)
def test_refused_input_rerenders_the_form_with_422(session, login_as, world, csrf, case):
    notice = case.setup(session, world)
    status = notice.status
    client = login_as(person(session, world, case.actor))
    data = {**case.data, **(case.invalid or {})}

    plain = post_form(client, url(notice, case), csrf, data)
    fragment = post_form(client, url(notice, case), csrf, data, headers=HTMX)

    assert plain.status_code == 422
    assert parse(plain).find("html") is not None
    assert fragment.status_code == 422
    root = fragment_root(fragment)
    assert root["id"] == "notice-actions"
    box = one(root, f"#action-{case.action}")
    assert box.has_attr("open")
    assert texts(box, ".error-summary li")
    for field_id, value in case.kept.items():
        kept = one(box, f"#{field_id}")
        assert (kept.get("value") or kept.get_text()) == value
    session.refresh(notice)
    assert notice.status == status
    assert events(session, case.audit, notice) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wrong_role_answers_403_and_out_of_scope_404(session, login_as, world, csrf, case):
    notice = case.setup(session, world)

    forbidden = post_form(
        login_as(person(session, world, case.forbidden)), url(notice, case), csrf, case.data
    )
    outside = post_form(
        login_as(person(session, world, case.outsider)), url(notice, case), csrf, case.data
    )

    assert forbidden.status_code == 403
    assert outside.status_code == 404
    assert events(session, case.audit, notice) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_post_without_csrf_changes_nothing(session, login_as, world, case):
    notice = case.setup(session, world)
    status, updated = notice.status, notice.updated_at

    response = post_form(
        login_as(person(session, world, case.actor)), url(notice, case), None, case.data
    )

    assert response.status_code == 403
    session.refresh(notice)
    assert (notice.status, notice.updated_at) == (status, updated)
    assert events(session, case.audit, notice) == []


def test_an_impossible_transition_is_a_422_with_the_reason(session, login_as, world, csrf):
    notice = _signed(session, world)

    response = post_form(login_as(world.editor), f"/staff/notices/{notice.id}/sign", csrf, {})

    assert response.status_code == 422
    assert "“已签收整改中”状态的督办通知书不能签收" in texts(
        parse(response), "#notice-actions .error-summary li"
    )


def test_the_report_carries_evidence_files_the_team_can_download(session, login_as, world, csrf):
    notice = _signed(session, world)
    photo = tf.image_bytes()

    response = login_as(world.editor).post(
        f"/staff/notices/{notice.id}/respond",
        data={"csrf_token": csrf, "report": REPORT},
        files=[("files", ("整改照片.png", photo, "image/png"))],
    )

    assert response.status_code == 303, response.text
    [event] = events(session, "notice.responded", notice)
    assert len(event.data["file_ids"]) == 1
    page = parse(login_as(world.lead).get(f"/staff/notices/{notice.id}"))
    link = one(page, "#notice-response .evidence-files a")
    assert text(link) == "整改照片.png"
    download = login_as(world.lead).get(link["href"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/png"
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    # Someone outside the notice's scope gets nothing, even with the file's address.
    assert login_as(world.other_editor).get(link["href"]).status_code == 404


def test_a_file_that_is_not_an_image_or_pdf_is_refused_with_422(session, login_as, world, csrf):
    notice = _signed(session, world)

    response = login_as(world.editor).post(
        f"/staff/notices/{notice.id}/respond",
        data={"csrf_token": csrf, "report": REPORT},
        files=[("files", ("report.png", b"MZ not an image at all", "image/png"))],
    )

    assert response.status_code == 422
    assert texts(parse(response), "#action-respond .field-error")
    session.refresh(notice)
    assert notice.status is NoticeStatus.SIGNED


def test_the_unit_sees_the_return_reasons_and_answers_again(session, login_as, world, csrf):
    notice = _responded(session, world)
    notices.return_notice(
        session,
        principal=principal(session, world.lead),
        notice_id=notice.id,
        reason="缺少评议会议记录",
    )

    page = parse(login_as(world.editor).get(f"/staff/notices/{notice.id}"))

    assert text(one(page, "#notice-response .review-note")) == "缺少评议会议记录"
    assert one(page, "#action-respond")
    steps = texts(page, "#notice-timeline .timeline-entry strong")
    assert steps == ["签发下达", "签收", "报送整改报告", "退回重新整改"]
    # The unit never sees the team's drafting.
    assert "拟制草稿" not in steps
