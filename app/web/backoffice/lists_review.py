"""/staff/lists/versions/{id}/review — a submission, its diff, approve & publish or return."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account.models import User
from app.account.service import Principal
from app.core.errors import PermissionDenied, ValidationFailed
from app.powerlist import policies, service
from app.powerlist.diff import CHANGE_KIND_LABELS
from app.powerlist.models import VERSION_STATUS_LABELS, ListVersion, VersionStatus
from app.powerlist.specs import (
    LIST_KIND_LABELS,
    RISK_LEVEL_LABELS,
    STEP_KIND_LABELS,
    format_time_limit,
)
from app.web.backoffice.list_access import (
    Found,
    ListPublisher,
    ListReviewer,
    VersionId,
    reviewable,
    target_block,
)
from app.web.backoffice.lists_steps import flowchart_markup
from app.web.deps import SessionDep
from app.web.htmx import redirect, render

router = APIRouter()


def _baseline(session: Session, found: Found) -> ListVersion | None:
    """What the version is compared with: the published version it would replace, or for an
    already published one, the version it replaced."""
    version = found.version
    if version.status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED):
        return service.current_version(session, power_list=found.power_list)
    earlier = service.list_versions(session, power_list=found.power_list, published_only=True)
    return next((v for v in earlier if v.number < version.number), None)


def publish_refusal(session: Session, principal: Principal, found: Found) -> str:
    """Why the principal may not approve this version ("" when they may)."""
    assert found.unit is not None
    if policies.can_publish(session, principal, found.unit, found.version):
        return ""
    if found.version.submitted_by_id == principal.user.id:
        return "不能审核发布自己提交的清单"
    return "只有监督单位负责人或系统管理员可以审核发布，您可以填写意见退回修改"


def review_context(
    session: Session,
    principal: Principal,
    found: Found,
    *,
    comment: str = "",
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    version = found.version
    content = service.content_of(session, version=version)
    baseline = _baseline(session, found)
    diff = None
    if baseline is not None and baseline.id != version.id:
        diff = service.compare_versions(
            session,
            power_list=found.power_list,
            old_number=baseline.number,
            new_number=version.number,
        )
    submitted = version.status == VersionStatus.SUBMITTED
    people = [version.submitted_by_id, version.reviewed_by_id]
    names = {i: session.get(User, i) for i in people if i is not None}
    return {
        "principal": principal,
        "found": found,
        "version": version,
        "unit": found.unit,
        "kind": found.kind,
        "kind_label": LIST_KIND_LABELS[found.kind],
        "content": content,
        "flowcharts": {item.key: flowchart_markup(item) for item in content.items},
        "baseline": baseline,
        "diff": diff,
        "submitted": submitted,
        "warnings": service.review_warnings(session, version=version) if submitted else {},
        "problems": service.validate_for_submit(session, version=version) if submitted else {},
        "publish_refusal": publish_refusal(session, principal, found) if submitted else "",
        "submitter": names.get(version.submitted_by_id or 0),
        "reviewer": names.get(version.reviewed_by_id or 0),
        "comment": comment,
        "errors": errors or {},
        "format_time_limit": format_time_limit,
        "CHANGE_KIND_LABELS": CHANGE_KIND_LABELS,
        "VERSION_STATUS_LABELS": VERSION_STATUS_LABELS,
        "STEP_KIND_LABELS": STEP_KIND_LABELS,
        "RISK_LEVEL_LABELS": RISK_LEVEL_LABELS,
    }


def _review_url(request: Request, found: Found) -> str:
    return request.url_for("backoffice.lists.review", version_id=found.version.id).path


@router.get("/lists/versions/{version_id}/review", name="backoffice.lists.review")
def review(
    request: Request, session: SessionDep, principal: ListReviewer, version_id: VersionId
) -> Response:
    """The submitted content, what changed against the published version, and the decision."""
    found = reviewable(session, principal, version_id)
    return render(
        request,
        "backoffice/lists/review.html",
        review_context(session, principal, found),
        blocks=target_block(request, ["review_actions", "review_diff"]),
    )


@router.post("/lists/versions/{version_id}/approve", name="backoffice.lists.approve")
def approve(
    request: Request, session: SessionDep, principal: ListPublisher, version_id: VersionId
) -> Response:
    """Approve and publish: the public pages show this version from now on."""
    found = reviewable(session, principal, version_id)
    refusal = publish_refusal(session, principal, found)
    if refusal:
        raise PermissionDenied(refusal)
    service.approve(session, version=found.version, actor=principal.user)
    return redirect(request, _review_url(request, found))


@router.post("/lists/versions/{version_id}/return", name="backoffice.lists.return")
def return_for_changes(
    request: Request,
    session: SessionDep,
    principal: ListReviewer,
    version_id: VersionId,
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Send the submission back to its editors; the comment is required and shown to them."""
    found = reviewable(session, principal, version_id)
    try:
        service.return_for_changes(
            session, version=found.version, actor=principal.user, comment=comment
        )
    except ValidationFailed as exc:
        context = review_context(session, principal, found, comment=comment, errors=exc.errors)
        return render(
            request,
            "backoffice/lists/review.html",
            context,
            blocks=["review_actions"],
            status_code=422,
        )
    return redirect(request, _review_url(request, found))
