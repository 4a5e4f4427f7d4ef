"""Liveness and readiness probes for load balancers and orchestrators."""

import dataclasses
import uuid

from channels.layers import get_channel_layer
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


@dataclasses.dataclass
class ChannelLayer(HealthCheck):
    """Round-trips a message through the channel layer, as every live event does."""

    async def run(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            raise ServiceUnavailable("No channel layer is configured")
        channel = await layer.new_channel("readyz.")
        token = uuid.uuid4().hex
        try:
            await layer.send(channel, {"type": "readyz.ping", "token": token})
            message = await layer.receive(channel)
        except Exception as exc:  # any backend failure means "not ready", with its reason
            raise ServiceUnavailable(f"Channel layer unreachable ({type(exc).__name__})") from exc
        if message.get("token") != token:
            raise ServiceUnavailable("Channel layer returned a different message")


def readiness_checks() -> dict[str, HealthCheck]:
    checks: dict[str, HealthCheck] = {"database": Database(), "channel_layer": ChannelLayer()}
    if settings.USE_REDIS:
        checks["broker"] = Redis(
            client_factory=lambda: RedisClient.from_url(settings.CELERY_BROKER_URL)
        )
    return checks


class ReadinessView(HealthCheckView):
    """django-health-check runs the probes; we answer 503 with the failing names in JSON."""

    async def get(self, request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        checks = readiness_checks()
        with self.get_executor() as executor:
            results = {name: await check.get_result(executor) for name, check in checks.items()}
        failed = sorted(name for name, result in results.items() if result.error)
        body = {
            "status": "unavailable" if failed else "ok",
            "failed": failed,
            "checks": {
                name: str(result.error) if result.error else "ok"
                for name, result in results.items()
            },
        }
        return JsonResponse(body, status=503 if failed else 200)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Dependencies are /readyz's business."""
    return JsonResponse({"status": "ok"})


readyz = ReadinessView.as_view()
