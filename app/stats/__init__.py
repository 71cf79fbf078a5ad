"""Figures for dashboards and reports, counted in SQL."""
