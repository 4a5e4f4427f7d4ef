from django.urls import re_path

from sessions.converters import PublicIdConverter
from summaries.api import views

# Like the sessions router: with or without a trailing slash, no redirect.
SESSION = rf"^sessions/(?P<public_id>{PublicIdConverter.regex})"
ITEMS = r"(?P<kind>[a-z-]+)"

urlpatterns = [
    re_path(rf"{SESSION}/summary/?$", views.SummaryView.as_view(), name="api-summary"),
    re_path(rf"{SESSION}/summary/retry/?$", views.RetryView.as_view(), name="api-summary-retry"),
    re_path(rf"{SESSION}/summary/{ITEMS}/?$", views.ItemsView.as_view(), name="api-recap-items"),
    re_path(
        rf"{SESSION}/summary/{ITEMS}/(?P<item_id>[0-9]+)/?$",
        views.ItemView.as_view(),
        name="api-recap-item",
    ),
    re_path(
        rf"{SESSION}/summary/{ITEMS}/(?P<item_id>[0-9]+)/confirmation/?$",
        views.ConfirmationView.as_view(),
        name="api-recap-confirmation",
    ),
    re_path(rf"{SESSION}/rating/?$", views.RatingView.as_view(), name="api-rating"),
]
