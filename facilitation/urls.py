from django.urls import path, re_path

from facilitation import views
from facilitation.meetings import views as meetings
from sessions.converters import PublicIdConverter

urlpatterns = [
    path("sessions/demo/", views.demo, name="session_demo"),
    path("sessions/<public_id:public_id>/live/", views.live_room, name="live_room"),
    path("sessions/<public_id:public_id>/live/controls/", views.controls, name="live_controls"),
    path("sessions/<public_id:public_id>/extend/", views.extend, name="session_extend"),
    path("sessions/<public_id:public_id>/live/bot/", meetings.bot_panel, name="meeting_bot_panel"),
    path("sessions/<public_id:public_id>/bot/send/", meetings.send_bot, name="meeting_bot_send"),
    path("sessions/<public_id:public_id>/speakers/swap/", meetings.swap, name="speakers_swap"),
    path(
        "meetingbaas/bots/<str:reference>/callback/",
        meetings.callback,
        name="meeting_bot_callback",
    ),
    re_path(
        rf"^sessions/(?P<public_id>{PublicIdConverter.regex})/"
        rf"(?P<action>{'|'.join(views.CONTROLS)})/$",
        views.control,
        name="session_control",
    ),
]
