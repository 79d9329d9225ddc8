from celery import shared_task

from imr.publication import portal_decisions_publish


@shared_task(name="imr.publish_portal_decisions")
def publish_portal_decisions() -> int:
    return portal_decisions_publish()
