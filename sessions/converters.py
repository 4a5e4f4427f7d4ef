"""URL converters for what identifies a session in a path."""


class PublicIdConverter:
    """A session's public id by its shape (models.new_public_id: secrets.token_urlsafe(16), 22
    URL-safe characters). Any other text in its place, a NUL byte say, never reaches a view,
    a consumer or the database: the URL simply does not match."""

    regex = "[A-Za-z0-9_-]{22}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
