"""Zoom, Google Meet and Teams through MeetingBaas: the facilitator bot's life (bots.py), its
audio sockets (consumers.py, and streams.py for what they read and write), its callbacks and
the live room's call controls (views.py), who is who among the call's speakers
(speakers.py), and a local stand-in for MeetingBaas (fake.py, playing recording.py)."""
