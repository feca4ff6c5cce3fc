"""The sealer and the retention on the beat."""

from __future__ import annotations

from celery import shared_task

from . import chain, partitions


@shared_task(name="audit.seal", max_retries=0, time_limit=300)
def seal() -> dict:
    created = partitions.ensure()
    sealed = 0
    while batch := chain.seal():
        sealed += batch
    return {"sealed": sealed, "partitions_created": created}


@shared_task(name="audit.retention", max_retries=0, time_limit=600)
def retention() -> dict:
    return {"dropped": partitions.drop_before()}
