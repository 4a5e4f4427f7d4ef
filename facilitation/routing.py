from django.urls import path

from facilitation.consumers import SessionEventsConsumer

websocket_urlpatterns = [
    path("ws/sessions/<str:public_id>/events/", SessionEventsConsumer.as_asgi()),
]
