from django.urls import path

from summaries import views

urlpatterns = [
    path("sessions/<public_id:public_id>/recap/", views.recap, name="recap"),
    path("sessions/<public_id:public_id>/recap/retry/", views.retry, name="recap_retry"),
    path("sessions/<public_id:public_id>/recap/rating/", views.rate, name="recap_rate"),
    path("sessions/<public_id:public_id>/recap/delete/", views.delete, name="recap_delete"),
    path("sessions/<public_id:public_id>/recap/print/", views.printable, name="recap_print"),
    path("sessions/<public_id:public_id>/recap/markdown/", views.markdown, name="recap_markdown"),
    path("sessions/<public_id:public_id>/recap/<str:kind>/", views.add_item, name="recap_add"),
    path(
        "sessions/<public_id:public_id>/recap/<str:kind>/<int:item_id>/",
        views.edit_item,
        name="recap_edit",
    ),
    path(
        "sessions/<public_id:public_id>/recap/<str:kind>/<int:item_id>/confirm/",
        views.confirm_item,
        name="recap_confirm",
    ),
]
