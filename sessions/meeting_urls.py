"""Which meeting links each platform accepts: the shapes its invite links take."""

import re
from urllib.parse import urlsplit

from sessions.models import Platform

_PATTERNS: dict[str, re.Pattern[str]] = {
    # https://us02web.zoom.us/j/85512345678?pwd=…, https://zoom.us/my/maya, …/wc/join/…
    Platform.ZOOM: re.compile(
        r"^(?:[a-z0-9-]+\.)*zoom\.(?:us|com)\$/(?:j|s|w|my|wc/join|wc)/[A-Za-z0-9._-]+",
        re.IGNORECASE,
    ),
    # https://meet.google.com/abc-defg-hij
    Platform.MEET: re.compile(r"^meet\.google\.com\$/[a-z]{3}-[a-z]{4}-[a-z]{3}/?$", re.IGNORECASE),
    # https://teams.microsoft.com/l/meetup-join/…, https://teams.live.com/meet/…
    Platform.TEAMS: re.compile(
        r"^teams\.(?:microsoft|live)\.com\$/(?:l/meetup-join/|meet/)\S+", re.IGNORECASE
    ),
}

EXAMPLES = {
    Platform.ZOOM: "https://zoom.us/j/85512345678",
    Platform.MEET: "https://meet.google.com/abc-defg-hij",
    Platform.TEAMS: "https://teams.microsoft.com/l/meetup-join/…",
}


def meeting_url_error(platform: str, url: str) -> str | None:
    """Why `url` is not a meeting link for `platform`, or None when it is one."""
    if platform == Platform.DIADI:
        return None
    if not url:
        return f"Paste the {Platform(platform).label} link you will meet on."
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        return "Meeting links start with https://"
    subject = f"{parts.hostname}${parts.path}"
    if not _PATTERNS[platform].match(subject):
        label = Platform(platform).label
        return f"This is not a {label} meeting link. It should look like {EXAMPLES[platform]}"
    return None
