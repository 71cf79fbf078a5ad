"""Supervision follow-through (§7): notices, the rectification ledger, inspections and talks."""
