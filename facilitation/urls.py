from django.urls import path, re_path

from facilitation import views
from sessions.converters import PublicIdConverter

urlpatterns = [
    path("sessions/demo/", views.demo, name="session_demo"),
    path("sessions/<public_id:public_id>/live/", views.live_room, name="live_room"),
    path("sessions/<public_id:public_id>/live/controls/", views.controls, name="live_controls"),
    path("sessions/<public_id:public_id>/extend/", views.extend, name="session_extend"),
    re_path(
        rf"^sessions/(?P<public_id>{PublicIdConverter.regex})/"
        rf"(?P<action>{'|'.join(views.CONTROLS)})/$",
        views.control,
        name="session_control",
    ),
]
