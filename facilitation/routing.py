from django.urls import path

from facilitation.consumers import SessionEventsConsumer

websocket_urlpatterns = [
    path("ws/sessions/<public_id:public_id>/events/", SessionEventsConsumer.as_asgi()),
]
