"""The facilitator's voice in a call: a soft chime for now (no speech synthesis), streamed
in 20 ms frames to the meeting bot's socket group, and silenced at once."""

import array
import asyncio
import itertools

import pytest
from channels.layers import get_channel_layer

from facilitation import voice
from facilitation.engine import Event
from facilitation.simulation import load_script
from facilitation.sources import SIMULATIONS_DIR, meeting_source, simulation_source

pytestmark = pytest.mark.asyncio


def _zero_crossings(samples) -> int:
    return sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))


async def test_the_chime_is_two_soft_tones_without_clicks():
    pcm = voice.chime()
    samples = array.array("h", pcm)
    assert len(samples) == 16_000 * 60 // 100  # 0.6 s: 0.22 + 0.04 + 0.34
    # Soft: a fifth of full scale at most; no click: it starts and ends at silence.
    assert max(abs(s) for s in samples) <= 32767 // 5 + 1
    assert samples[0] == 0 and abs(samples[-1]) < 50
    # Two tones, the second higher: 659 Hz for 0.22 s, then 880 Hz for 0.34 s.
    first, second = samples[: int(16_000 * 0.22)], samples[int(16_000 * 0.26) :]
    assert round(_zero_crossings(first) / 2 / 0.22, -1) == 660
    assert round(_zero_crossings(second) / 2 / 0.34, -1) == 880


async def test_a_voice_prompt_goes_to_the_bot_in_order_in_20_ms_frames():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(voice.bot_group("s1"), channel)
    out = voice.BotVoice("s1")
    prompt = {"id": "int_1", "type": "balance", "modality": "voice", "message": "…"}
    out.hand(
        [Event("intervention", 0, {**prompt, "modality": "visual"}), Event("ai_status", 0, {})]
    )
    assert not out.playing  # only voice prompts are spoken
    out.hand([Event("intervention", 0, prompt)])
    frames = []
    for _ in range(len(voice.frames(voice.chime()))):
        message = await asyncio.wait_for(layer.receive(channel), 5)
        assert message["type"] == voice.VOICE_FRAME
        frames.append(message["pcm"])
    assert {len(frame) for frame in frames} == {640}
    assert b"".join(frames)[: len(voice.chime())] == voice.chime()


class LongVoice:
    """Five seconds of sound: time enough to stop it half-way."""

    def render(self, intervention: dict) -> bytes:
        return voice.chime() * 9


async def test_stopping_silences_the_prompt_under_way():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(voice.bot_group("s2"), channel)
    out = voice.BotVoice("s2", voice=LongVoice())
    out.say({"id": "int_1"})
    await asyncio.wait_for(layer.receive(channel), 5)  # it has begun
    out.stop()
    assert not out.playing
    heard = 1
    while True:
        try:
            await asyncio.wait_for(layer.receive(channel), 0.3)
        except TimeoutError:
            break
        heard += 1
    # What was sent before the stop arrives; nothing after it.
    assert heard < len(voice.frames(LongVoice().render({})))


async def test_only_meeting_runs_have_a_voice():
    assert isinstance(voice.voice_out_for(meeting_source(), "s3"), voice.BotVoice)
    script = load_script(SIMULATIONS_DIR / "one_sided.yaml")
    assert voice.voice_out_for(simulation_source(script, speed=1), "s3") is voice.SILENT
