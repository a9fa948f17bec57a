"""The site's URLs, and the baseline page at /bench/baseline/."""

from django.urls import path

from marketplace.urls import urlpatterns as site

from .baseline import baseline

urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *site]
