from celery import shared_task

from imr.publication import findings_reviews_open


# The name is kept from when this task published decisions itself (beat entries and queued
# messages name it); it now opens the findings reviews that a supervisor approves.
@shared_task(name="imr.publish_portal_decisions")
def publish_portal_decisions() -> int:
    return findings_reviews_open()
