"""The fake OpenAI by hand: `manage.py fake_openai` says clearly what stops it from starting."""

import pytest
from django.core.management import CommandError, call_command

from facilitation.adapters.fake_openai import FakeOpenAI


def test_a_port_in_use_is_a_clear_error():
    taken = FakeOpenAI()
    port = taken.url.rsplit(":", 1)[1].split("/")[0]
    try:
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("fake_openai", "--port", port)
    finally:
        taken.stop()


def test_a_reply_file_that_is_not_json_is_a_clear_error(tmp_path):
    reply = tmp_path / "reply.json"
    reply.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="--reply"):
        call_command("fake_openai", "--port", "0", "--reply", str(reply))
