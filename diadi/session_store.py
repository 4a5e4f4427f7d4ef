"""Django's database sessions, with keys checked by their shape before any query.

Django makes keys of 32 lowercase letters and digits, but takes whatever the cookie holds: a
quoted cookie can carry a NUL byte (sessionid="abc\\000..."), and PostgreSQL fails on a query
that merely compares with one. Any other key is simply no session.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(super()._validate_session_key(key)) and key.isascii() and key.isalnum()
