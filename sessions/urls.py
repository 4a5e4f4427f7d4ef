from django.urls import path

from sessions.views import detail, hub, invite, wizard

urlpatterns = [
    path("hub/", hub.hub, name="hub"),
    path("hub/sessions/", hub.session_list, name="session_list"),
    path("sessions/new/", wizard.new_session, name="session_new"),
    path("sessions/deleted/", detail.deleted, name="session_deleted"),
    path("sessions/<public_id:public_id>/", detail.session_detail, name="session_detail"),
    path("sessions/<public_id:public_id>/waiting-room/", detail.waiting_room, name="waiting_room"),
    path("sessions/<public_id:public_id>/launch/", invite.launch, name="session_launch"),
    path(
        "sessions/<public_id:public_id>/invite/new/",
        invite.new_invitation,
        name="new_invitation",
    ),
    path("sessions/<public_id:public_id>/archive/", detail.archive, name="session_archive"),
    path(
        "sessions/<public_id:public_id>/browser-room/",
        detail.browser_room,
        name="session_browser_room",
    ),
    path("sessions/<public_id:public_id>/delete/", detail.delete, name="session_delete"),
    path("invite/<str:token>/", invite.invite, name="invite"),
]
