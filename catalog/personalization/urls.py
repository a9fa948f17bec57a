"""
/requests/: the shopper's personalization requests, and the request form. Namespace "requests".

Part of the personalization room; marketplace.urls includes it under /requests/.
"""

from django.urls import path

from catalog.personalization import views

app_name = "requests"

urlpatterns = [
    path("", views.RequestListView.as_view(), name="list"),
    path("new/piece/<slug:slug>/", views.RequestCreateView.as_view(), name="create_for_piece"),
    path("new/maker/<slug:artisan_slug>/", views.RequestCreateView.as_view(), name="create_for_artisan"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="detail"),
    path("<int:pk>/confirm/", views.RequestConfirmView.as_view(), name="confirm"),
    path("<int:pk>/<str:action>/", views.RequestActionView.as_view(), name="action"),
]
