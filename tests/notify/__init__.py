"""Tests of app.notify: outbox, worker, senders, periodic runner."""
