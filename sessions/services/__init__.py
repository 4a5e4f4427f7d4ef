"""What the rest of Diadi may ask of sessions, by concern; views and other apps call these,
never the models' internals:

- invitations: create a session, invite the other person, take their answer;
- access: who may see a session (the one door for pages, API and websockets), deleting it;
- presence: whether each person has the session open;
- live: what the live room reads and changes;
- setup: changing how a session is set up before it starts.
"""

from sessions.services.access import (
    browser_keys,
    claim_browser_participations,
    delete_session,
    get_for,
    get_for_page,
    participant_for,
    remember_browser,
    visible_sessions,
)
from sessions.services.invitations import (
    NewSession,
    answer_invitation,
    create_demo_session,
    create_session,
    default_title,
    find_invitation,
    issue_invitation,
    open_invitation,
)
from sessions.services.live import (
    ACK_ACTIONS,
    LIVE_SETTINGS,
    acknowledge_intervention,
    latest_ai_status,
    live_settings,
    snapshot,
    update_live_settings,
)
from sessions.services.presence import expire_presence, is_present, set_presence, touch_presence
from sessions.services.setup import latest_platform_change, switch_to_browser_room

__all__ = [
    "ACK_ACTIONS",
    "LIVE_SETTINGS",
    "NewSession",
    "acknowledge_intervention",
    "answer_invitation",
    "browser_keys",
    "claim_browser_participations",
    "create_demo_session",
    "create_session",
    "default_title",
    "delete_session",
    "expire_presence",
    "find_invitation",
    "get_for",
    "get_for_page",
    "is_present",
    "issue_invitation",
    "latest_ai_status",
    "latest_platform_change",
    "live_settings",
    "open_invitation",
    "participant_for",
    "remember_browser",
    "set_presence",
    "snapshot",
    "switch_to_browser_room",
    "touch_presence",
    "update_live_settings",
    "visible_sessions",
]
