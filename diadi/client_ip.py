"""The address of the client behind a request, for rate limits (RATELIMIT_IP_META_KEY).

Without a proxy it is the peer's address. Behind TRUSTED_PROXY_COUNT proxies that each append
the address they received from to X-Forwarded-For, the client is the entry that many places
from the right: whatever lies further left the client wrote itself and may be forged. (Daphne's
--proxy-headers takes the leftmost entry, so limits never rely on it.)
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    chain = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry]
    if len(chain) < proxies:
        return peer  # not through every trusted proxy: nothing in the header can be believed
    return _address(chain[-proxies]) or peer
