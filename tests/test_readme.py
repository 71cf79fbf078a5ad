"""The README and .env.example stay in step with the code they document."""

import re

from app.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_setting():
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.MULTILINE))
    expected = {name.upper() for name in Settings.model_fields}
    assert expected <= table, f"add to the README configuration table: {sorted(expected - table)}"


def test_readme_lists_the_demo_accounts():
    from app.demo import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        assert f"| `{account.username}` | `{account.password}` |" in README, account.username


def test_readme_names_every_cli_command():
    from typer.main import get_command

    from app.cli import cli

    group = get_command(cli)
    names = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        names += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]
    missing = [name for name in names if f"`xiaowei {name}" not in README]
    assert not missing, f"add to the README command table: {missing}"
