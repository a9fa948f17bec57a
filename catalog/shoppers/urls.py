"""
The shoppers room's URLs, namespace "shoppers": saved pieces, followed makers, saved searches and
their unsubscribe links. marketplace.urls includes it at the root.
"""

from django.urls import path  # noqa: F401 (the sections below fill urlpatterns)

app_name = "shoppers"

urlpatterns = [
    # --- Saved pieces and followed makers ---
    # --- Saved searches and their alerts ---
]
