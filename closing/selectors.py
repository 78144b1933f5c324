"""Reads of the close of business: a run's progress, step by step."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from common.models import BusinessCalendar, CloseChunk, CloseRun


def close_progress() -> dict[str, Any]:
    """The close of the current business date if it has started, else the last one: its
    state and, per step, its state, counts and (for the chunked step) chunks done of
    total, in a form a page can draw."""
    calendar = BusinessCalendar.objects.get(pk=1)
    run = (
        CloseRun.objects.filter(business_date=calendar.current_date).first()
        or CloseRun.objects.order_by("-business_date", "-pk").first()
    )
    answer: dict[str, Any] = {
        "business_date": calendar.current_date.isoformat(),
        "calendar_state": calendar.state,
        "run": None,
    }
    if run is None:
        return answer
    chunks = {
        row["step_id"]: row
        for row in CloseChunk.objects.filter(step__run=run)
        .values("step_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(state=CloseChunk.State.DONE)))
    }
    steps = []
    for step in run.steps.order_by("position", "pk"):
        counted = chunks.get(step.pk, {"total": 0, "done": 0})
        steps.append(
            {
                "step": step.step,
                "state": step.state,
                "chunks_done": counted["done"],
                "chunks_total": counted["total"],
                "duration_ms": step.duration_ms,
                "counts": step.counts,
            }
        )
    answer["run"] = {
        "business_date": run.business_date.isoformat(),
        "state": run.state,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
        "steps": steps,
    }
    return answer
