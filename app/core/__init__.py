"""Shared kernel: errors, clock, working days, pagination. No web imports."""
