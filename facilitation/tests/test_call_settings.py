"""The call's STUN/TURN settings, as the live room hands them to the browser."""

import pytest
from django.core import checks

from facilitation.call import ice_config, page_config


def test_none_are_needed_by_default(settings):
    assert page_config() == {
        "rtc": {"iceServers": [], "iceTransportPolicy": "all"},
        "connectTimeoutMs": 20_000,
    }


def test_comma_separated_urls_get_the_turn_credentials(settings):
    settings.CALL_ICE_SERVERS = "stun:stun.example.com:3478, turn:turn.example.com:3478"
    settings.CALL_TURN_USERNAME = "diadi"
    settings.CALL_TURN_CREDENTIAL = "s3cret"
    assert ice_config()["iceServers"] == [
        {"urls": "stun:stun.example.com:3478"},
        {"urls": "turn:turn.example.com:3478", "username": "diadi", "credential": "s3cret"},
    ]


def test_a_json_list_is_taken_as_it_is(settings):
    settings.CALL_ICE_SERVERS = (
        '["stun:a.example.com", {"urls": ["turns:b.example.com:443"], "username": "u",'
        ' "credential": "c"}]'
    )
    settings.CALL_ICE_TRANSPORT_POLICY = "relay"
    assert page_config()["rtc"] == {
        "iceServers": [
            {"urls": "stun:a.example.com"},
            {"urls": ["turns:b.example.com:443"], "username": "u", "credential": "c"},
        ],
        "iceTransportPolicy": "relay",
    }


@pytest.mark.parametrize(
    "servers, policy, words",
    [
        ("https://turn.example.com", "all", "start with stun:"),
        ('["stun:a.example.com"', "all", "not valid JSON"),
        ('{"urls": "stun:a"}', "all", "start with stun:"),
        ('[{"url": "stun:a"}]', "all", "an object with urls"),
        ("", "direct", "must be all or relay"),
        ("turn:turn.example.com", "all", "needs a username and credential"),
        ("stun:stun.example.com", "relay", "relay needs a TURN server"),
    ],
)
def test_bad_settings_stop_the_start(settings, servers, policy, words):
    settings.CALL_ICE_SERVERS = servers
    settings.CALL_ICE_TRANSPORT_POLICY = policy
    errors = [e for e in checks.run_checks() if e.id == "facilitation.E002"]
    assert len(errors) == 1
    assert words in errors[0].msg
