"""End-to-end journeys: a case lived from filing to closing by every person in it, in a real
Chromium, against the live server and a real Celery worker (see ``journeys/support.py``)."""
