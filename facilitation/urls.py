from django.urls import path

from facilitation import views

urlpatterns = [
    path("sessions/demo/", views.demo, name="session_demo"),
    path("sessions/<str:public_id>/live/", views.live_room, name="live_room"),
    path("sessions/<str:public_id>/live/controls/", views.controls, name="live_controls"),
    path("sessions/<str:public_id>/start/", views.start, name="session_start"),
    path("sessions/<str:public_id>/pause/", views.pause, name="session_pause"),
    path("sessions/<str:public_id>/resume/", views.resume, name="session_resume"),
    path("sessions/<str:public_id>/end/", views.end, name="session_end"),
]
