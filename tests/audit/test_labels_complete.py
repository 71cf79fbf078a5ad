"""Every audit action the code records has a zh-CN label, so the audit log never shows raw codes."""

import re
from pathlib import Path

from app.audit.labels import ACTION_LABELS

ACTION_LITERAL = re.compile(
    r'"((?:account|unit|team|identity|powerlist|standardlist|calendar|notify|ticket|category)'
    r"\.[a-z]+_[a-z_]+|(?:account|unit|team|identity|powerlist|standardlist|calendar|notify"
    r'|ticket|category)\.[a-z]+ed)"'
)


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in Path("app").rglob("*.py"):
        if path.name == "labels.py":
            continue
        found.update(ACTION_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert "powerlist.published" in actions  # the scan finds real call sites
    missing = sorted(action for action in actions if action not in ACTION_LABELS)
    assert missing == []
