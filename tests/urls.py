"""URLs for djstripe's tests."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
    # djstripe urls are added once djstripe/urls.py exists
]
