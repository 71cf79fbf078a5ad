"""Notifications: an outbox written in the caller's transaction, a worker, pluggable senders."""
