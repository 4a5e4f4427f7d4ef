import pytest

from sessions.meeting_urls import meeting_url_error

GOOD = [
    ("zoom", "https://zoom.us/j/85512345678"),
    ("zoom", "https://us02web.zoom.us/j/85512345678?pwd=abc123"),
    ("zoom", "https://zoom.us/my/maya.r"),
    ("meet", "https://meet.google.com/abc-defg-hij"),
    ("meet", "https://meet.google.com/abc-defg-hij?authuser=1"),
    ("teams", "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Zm9v%40thread.v2/0"),
    ("teams", "https://teams.live.com/meet/9876543210"),
    ("diadi", ""),
    ("diadi", "anything: the browser room needs no link"),
]
BAD = [
    ("zoom", ""),
    ("zoom", "http://zoom.us/j/85512345678"),
    ("zoom", "https://zoom.us.evil.example/j/1"),
    ("zoom", "https://evilzoom.us/j/1"),
    ("zoom", "https://meet.google.com/abc-defg-hij"),
    ("meet", "https://meet.google.com/abcdefghij"),
    ("meet", "https://meet.google.com.evil.example/abc-defg-hij"),
    ("meet", "javascript:alert(1)"),
    ("teams", "https://teams.microsoft.com/"),
    ("teams", "https://zoom.us/j/85512345678"),
    ("teams", "not a url"),
]


@pytest.mark.parametrize(("platform", "url"), GOOD)
def test_it_accepts_real_meeting_links(platform, url):
    assert meeting_url_error(platform, url) is None


@pytest.mark.parametrize(("platform", "url"), BAD)
def test_it_explains_what_is_wrong_with_other_links(platform, url):
    assert meeting_url_error(platform, url)
