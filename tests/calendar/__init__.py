"""Tests of app.calendar."""
