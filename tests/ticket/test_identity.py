"""Identity at rest (AES-GCM, key rotation) and its audited reveal to the ticket's own team."""

import base64
import json
import os

import pytest
from sqlmodel import col, select

from app.account.permissions import Role
from app.account.service import add_membership
from app.config import get_settings
from app.core import crypto
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.ticket import service
from app.ticket.models import EntryKind, IdentityReveal, Visibility
from app.ticket.notifications import identity_aad
from tests.ticket.factories import (
    SECRET_ID,
    SECRET_MOBILE,
    SECRET_NAME,
    entries,
    events,
    principal,
    real_name,
    submit,
)


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


@pytest.fixture
def keys(monkeypatch):
    """Set DATA_ENCRYPTION_KEYS for one test (settings are cached process-wide)."""

    def use(value: str) -> None:
        monkeypatch.setenv("DATA_ENCRYPTION_KEYS", value)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()


def test_identity_is_encrypted_and_bound_to_the_ticket(session, world):
    ticket = submit(session, world, real_name(world)).ticket
    token = ticket.identity_ciphertext
    assert token is not None
    for secret in (SECRET_NAME, SECRET_MOBILE, SECRET_ID, SECRET_NAME.encode().hex()):
        assert secret not in token
    assert not ticket.is_anonymous
    data = json.loads(crypto.decrypt(token, aad=identity_aad(ticket.number)))
    assert data == {"name": SECRET_NAME, "mobile": SECRET_MOBILE, "id_number": SECRET_ID}
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, aad=identity_aad("TS-20990101-0001"))


def test_anonymous_tickets_store_no_identity(session, world):
    ticket = submit(session, world).ticket
    assert ticket.is_anonymous
    assert ticket.identity_ciphertext is None


def test_key_rotation_old_tokens_still_open_new_ones_use_the_new_key(session, world, keys):
    old = _key("k0")
    keys(old)
    before = submit(session, world, real_name(world)).ticket
    assert crypto.key_id_of(before.identity_ciphertext or "") == "k0"

    keys(f"{_key('k1')},{old}")
    after = submit(session, world, real_name(world)).ticket
    assert crypto.key_id_of(after.identity_ciphertext or "") == "k1"
    assert crypto.needs_reencryption(before.identity_ciphertext or "")
    lead = principal(session, world.lead)
    for ticket in (before, after):
        identity = service.reveal_identity(
            session, ticket=ticket, principal=lead, reason="核实线索"
        )
        assert identity.name == SECRET_NAME

    keys(_key("k1"))  # the old key dropped too early: loud failure, not silent garbage
    with pytest.raises(crypto.KeyConfigurationError):
        service.reveal_identity(session, ticket=before, principal=lead, reason="核实线索")


def test_reveal_needs_a_reason_and_is_logged_three_ways(session, world):
    ticket = submit(session, world, real_name(world)).ticket
    member = principal(session, world.member)
    with pytest.raises(ValidationFailed):
        service.reveal_identity(session, ticket=ticket, principal=member, reason="  ")

    identity = service.reveal_identity(
        session, ticket=ticket, principal=member, reason="需电话核实反映的情况"
    )

    assert (identity.name, identity.mobile, identity.id_number) == (
        SECRET_NAME,
        SECRET_MOBILE,
        SECRET_ID,
    )
    reveal = session.exec(
        select(IdentityReveal).where(col(IdentityReveal.ticket_id) == ticket.id)
    ).one()
    assert (reveal.user_id, reveal.reason) == (world.member.id, "需电话核实反映的情况")
    [event] = events(session, "ticket.identity_revealed", ticket)
    assert event.actor_id == world.member.id
    assert event.data == {"reason": "需电话核实反映的情况"}
    assert SECRET_NAME not in json.dumps(event.data, ensure_ascii=False)
    [entry] = [e for e in entries(session, ticket) if e.kind == EntryKind.REVEAL]
    assert entry.visibility == Visibility.TEAM


def test_admin_alone_may_not_reveal(session, world):
    ticket = submit(session, world, real_name(world)).ticket
    with pytest.raises(NotFound):
        service.reveal_identity(
            session, ticket=ticket, principal=principal(session, world.admin), reason="系统维护"
        )
    # …but an admin who is also on the ticket's team may.
    add_membership(session, user=world.admin, role=Role.TEAM_MEMBER, team=world.township_team)
    identity = service.reveal_identity(
        session, ticket=ticket, principal=principal(session, world.admin), reason="兼任纪委委员核实"
    )
    assert identity.name == SECRET_NAME


def test_other_teams_and_units_may_not_reveal(session, world):
    ticket = submit(session, world, real_name(world)).ticket
    for user in (world.outsider_member, world.editor, world.other_editor):
        with pytest.raises(NotFound):
            service.reveal_identity(
                session, ticket=ticket, principal=principal(session, user), reason="想看看是谁"
            )
    assert events(session, "ticket.identity_revealed", ticket) == []


def test_recused_member_may_not_reveal(session, world):
    add_membership(session, user=world.member, role=Role.UNIT_EDITOR, unit=world.village)
    ticket = submit(session, world, real_name(world)).ticket
    with pytest.raises(NotFound):
        service.reveal_identity(
            session, ticket=ticket, principal=principal(session, world.member), reason="核实情况"
        )


def test_anonymous_ticket_has_nothing_to_reveal(session, world):
    ticket = submit(session, world).ticket
    with pytest.raises(Conflict, match="匿名"):
        service.reveal_identity(
            session, ticket=ticket, principal=principal(session, world.lead), reason="核实情况"
        )
