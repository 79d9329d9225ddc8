"""Every write to a case goes through these services (see each module's docstring)."""
