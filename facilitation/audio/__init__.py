"""Talk measured from audio: one voice activity detector per participant turns each person's
microphone stream into SpeechStarted / SpeechStopped on the session's clock.

`pcm` holds the wire format (Django-free, shared with the audio websocket), `streams` places
each person's audio on the session's clock, `processors` are the Pipecat pieces and `listener`
puts them together into one pipeline per session.
"""
