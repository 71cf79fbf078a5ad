"""Staff users, memberships (role + scope), permissions, passwords and sessions."""
