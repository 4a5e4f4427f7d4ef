"""Messages to a session's facilitation run, from whichever process has them.

A run listens on its session's run group through the channel layer: in the embedded default
it shares the Daphne process's in-memory layer, in production it is reached through Redis
wherever its worker is. Controls (pause, resume, settings, end) and live audio take this
route, so a run never polls the database to learn what changed.
"""

from functools import partial

from channels.layers import get_channel_layer

from diadi import outbox

# Message types a run understands (the "type" key, as the channel layer dispatches it).
CONTROL = "run.control"
# Someone started or stopped speaking, as a source outside the run heard it (a meeting bot's
# speaker state): {"participant": public id, "speaking": bool, "at": wall-clock seconds}.
SPEECH = "run.speech"
AUDIO = "run.audio"
MUTE = "run.mute"
AUDIO_STREAM = "run.audio_stream"


def run_group(public_id: str) -> str:
    """The channel-layer group the run of this session listens on."""
    return f"run.{public_id}"


async def send_to_run(public_id: str, message: dict) -> None:
    """Best effort: a run that is not listening (restarting, gone) misses the message; what
    it must not miss (status, settings) it re-reads from the database when it starts. Every
    message names its session: one run host listens for all of its runs."""
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(run_group(public_id), {**message, "session": public_id})


def send_to_run_sync(public_id: str, message: dict) -> None:
    """From synchronous code: queued to the serving loop when there is one (diadi/outbox.py)."""
    outbox.send(partial(send_to_run, public_id, message), run_group(public_id))
