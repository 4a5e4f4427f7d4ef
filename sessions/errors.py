"""Domain errors with the spec's codes (Appendix B), turned into responses by the views."""

from enum import StrEnum


class ErrorCode(StrEnum):
    SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
    INVALID_INVITE_TOKEN = "INVALID_INVITE_TOKEN"
    SESSION_NOT_READY = "SESSION_NOT_READY"
    INVALID_MEETING_URL = "INVALID_MEETING_URL"
    SESSION_NOT_IN_PROGRESS = "SESSION_NOT_IN_PROGRESS"
    SESSION_NOT_PAUSED = "SESSION_NOT_PAUSED"
    SUMMARY_NOT_AVAILABLE = "SUMMARY_NOT_AVAILABLE"
    # Beyond the spec's list, for cases it does not cover.
    SESSION_NOT_AWAITING_CONSENT = "SESSION_NOT_AWAITING_CONSENT"
    SESSION_CANNOT_BE_ARCHIVED = "SESSION_CANNOT_BE_ARCHIVED"
    PLATFORM_NOT_AVAILABLE = "PLATFORM_NOT_AVAILABLE"
    OWN_INVITATION = "OWN_INVITATION"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    NO_MORE_EXTRA_TIME = "NO_MORE_EXTRA_TIME"


MESSAGES = {
    ErrorCode.SESSION_NOT_FOUND: "Session not found",
    ErrorCode.INVALID_INVITE_TOKEN: "Invalid invite token",
    ErrorCode.SESSION_NOT_READY: "Session not ready to start",
    ErrorCode.INVALID_MEETING_URL: "Invalid meeting URL",
    ErrorCode.SESSION_NOT_IN_PROGRESS: "Session not in progress",
    ErrorCode.SESSION_NOT_PAUSED: "Session not paused",
    ErrorCode.SUMMARY_NOT_AVAILABLE: "Summary not available yet",
    ErrorCode.SESSION_NOT_AWAITING_CONSENT: "Session is no longer waiting for consent",
    ErrorCode.SESSION_CANNOT_BE_ARCHIVED: "A live session must be ended before it is archived",
    ErrorCode.PLATFORM_NOT_AVAILABLE: "This meeting platform is not available on this server",
    ErrorCode.OWN_INVITATION: (
        "You created this session: only the person you invited can answer the invitation"
    ),
    ErrorCode.VALIDATION_ERROR: "Some fields are not valid",
    ErrorCode.NO_MORE_EXTRA_TIME: "This session already had all the extra time it can have",
}

NOT_FOUND_CODES = {ErrorCode.SESSION_NOT_FOUND, ErrorCode.SUMMARY_NOT_AVAILABLE}
FORBIDDEN_CODES = {ErrorCode.OWN_INVITATION}


class SessionError(Exception):
    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        if self.code in NOT_FOUND_CODES:
            return 404
        return 403 if self.code in FORBIDDEN_CODES else 400

    def as_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}
