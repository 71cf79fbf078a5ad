"""The formula row: defaults, audited updates by admins only, and sentences that follow it."""

import pytest
from sqlmodel import col, select

from app.account.service import load_principal
from app.audit.labels import ACTION_LABELS, describe
from app.audit.models import AuditEvent
from app.core.errors import PermissionDenied, ValidationFailed
from app.stats.formulas import FORMULA_TEXT, Formula, get_formula, update_formula


def events(session) -> list[AuditEvent]:
    statement = select(AuditEvent).where(col(AuditEvent.action) == "stats.formula_updated")
    return list(session.exec(statement).all())


def test_defaults_until_first_saved(session):
    assert get_formula(session) == Formula()


def test_admin_updates_are_stored_and_audited_with_the_changes(session, world):
    admin = load_principal(session, user=world.admin)
    result = update_formula(session, principal=admin, satisfied_includes_basically=False)
    assert result == Formula(satisfied_includes_basically=False)
    assert get_formula(session) == result
    [event] = events(session)
    assert event.data == {"satisfied_includes_basically": False}
    assert event.actor_id == world.admin.id
    assert describe(event) == ACTION_LABELS["stats.formula_updated"] == "修改统计口径"
    # Saving the same choices again records nothing.
    update_formula(session, principal=admin, satisfied_includes_basically=False)
    assert len(events(session)) == 1


def test_only_admins_may_change_formulas(session, world):
    with pytest.raises(PermissionDenied):
        update_formula(
            session,
            principal=load_principal(session, user=world.lead),
            satisfied_includes_basically=False,
        )
    assert get_formula(session) == Formula()
    assert events(session) == []


def test_unknown_choices_are_refused(session, world):
    with pytest.raises(ValidationFailed):
        update_formula(session, principal=load_principal(session, user=world.admin), bogus=True)


def test_sentences_follow_the_choices():
    default = " ".join(FORMULA_TEXT(Formula()))
    assert "满意：评价为“满意”或“基本满意”" in default
    assert "或作出不予受理决定" in default
    strict = " ".join(
        FORMULA_TEXT(Formula(satisfied_includes_basically=False, response_counts_rejections=False))
    )
    assert "“基本满意”不计入" in strict
    assert "不予受理的工单不计入响应率" in strict
    unrated = " ".join(FORMULA_TEXT(Formula(unrated_counts_as_satisfied=True)))
    assert "未评价而办结、视为满意" in unrated
    by_rating = " ".join(FORMULA_TEXT(Formula(resolved_from_rating=True)))
    assert "已解决：评价为“满意”或“基本满意”" in by_rating
