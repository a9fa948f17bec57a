from django.db.transaction import non_atomic_requests
from django.urls import path

from . import views

app_name = "artisans"

# The maker page only reads: it runs outside ATOMIC_REQUESTS' transaction.
urlpatterns = [
    path("<slug:slug>/", non_atomic_requests(views.ArtisanDetailView.as_view()), name="artisan_detail"),
]
