from django.urls import path

from summaries.consumers import RecapConsumer

websocket_urlpatterns = [
    path("ws/sessions/<str:public_id>/recap/", RecapConsumer.as_asgi()),
]
