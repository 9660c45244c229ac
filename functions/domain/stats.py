"""A user's export statistics and the state of their quota."""

from collections import Counter
from typing import Any

from functions.domain import clock
from functions.domain.services import Services
from functions.models.api import StatsResponse
from functions.models.records import RenderStatus


def export_stats(services: Services, user_id: str) -> StatsResponse:
    renders = services.store.all_renders(user_id)
    done = [
        r.render_seconds for r in renders if r.status is RenderStatus.SUCCEEDED and r.render_seconds and not r.reused
    ]
    settings = services.settings
    now = clock.now()
    return StatsResponse(
        total=len(renders),
        by_status=dict(Counter(r.status.value for r in renders)),
        by_format=dict(Counter(r.format.value for r in renders)),
        by_quality=dict(Counter(r.quality.value for r in renders)),
        downloads=sum(r.downloads for r in renders),
        mean_render_seconds=round(sum(done) / len(done), 2) if done else None,
        reused=sum(1 for r in renders if r.reused),
        total_cost_usd=round(sum(_cost_usd(r.costs) for r in renders), 4),
        used_today=services.store.used_today(user_id, clock.day(now)),
        daily_limit=settings.daily_export_limit,
        concurrent_limit=settings.concurrent_render_limit,
        quota_resets_at=clock.iso(now + clock.seconds_to_next_day(now)),
    )


def _cost_usd(costs: dict[str, Any] | None) -> float:
    """What a render cost, as Remotion's webhook reports it (`accruedSoFar`, in USD)."""
    if not costs or costs.get("currency", "USD") != "USD":
        return 0.0
    value = costs.get("accruedSoFar", 0)
    return float(value) if isinstance(value, int | float) else 0.0
