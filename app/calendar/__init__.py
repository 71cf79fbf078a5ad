"""The work calendar (admin overrides of holidays and 调休) and the deadline policies per kind."""
