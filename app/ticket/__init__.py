"""Tickets (投诉举报件): intake, routing, workflow, deadlines, receipts, attachments, ratings."""
