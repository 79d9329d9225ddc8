"""Views of the online application (``apply``), "My cases" (``my``) and the eligibility check."""
