from django.urls import path

from facilitation.audio_consumer import SessionAudioConsumer
from facilitation.consumers import SessionEventsConsumer

websocket_urlpatterns = [
    path("ws/sessions/<public_id:public_id>/events/", SessionEventsConsumer.as_asgi()),
    path("ws/sessions/<public_id:public_id>/audio/", SessionAudioConsumer.as_asgi()),
]
