from django.urls import path, re_path

from facilitation.audio_consumer import SessionAudioConsumer
from facilitation.consumers import SessionEventsConsumer
from facilitation.meetings.consumers import BotStreamConsumer

websocket_urlpatterns = [
    path("ws/sessions/<public_id:public_id>/events/", SessionEventsConsumer.as_asgi()),
    path("ws/sessions/<public_id:public_id>/audio/", SessionAudioConsumer.as_asgi()),
]

# MeetingBaas' bot, not a browser: no cookies, no Origin header; its secret is its door.
bot_websocket_urlpatterns = [
    re_path(
        r"^ws/bots/(?P<secret>[A-Za-z0-9_-]{20,100})/(?P<role>input|output)/$",
        BotStreamConsumer.as_asgi(),
    ),
]
