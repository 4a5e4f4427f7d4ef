from django.urls import path

from summaries.consumers import RecapConsumer

websocket_urlpatterns = [
    path("ws/sessions/<public_id:public_id>/recap/", RecapConsumer.as_asgi()),
]
