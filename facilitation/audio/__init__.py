"""Talk measured from audio: one voice activity detector per participant turns each person's
microphone stream into SpeechStarted / SpeechStopped on the session's clock.

`pcm` holds the wire format and `flood` the sending allowance (both shared with the audio
websocket), `streams` places each person's audio on the session's clock, `vad` is Silero as
many streams in one process run it, `processors` are the Pipecat pieces and `listener` puts
them together into one pipeline per session.
"""
