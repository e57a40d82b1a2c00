"""The shop's URLs."""

from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/<str:plan_id>/subscribe/", views.subscribe, name="subscribe"),
    path("account/", views.AccountView.as_view(), name="account"),
    path("account/sync/", views.sync, name="sync"),
    path("account/subscriptions/<str:subscription_id>/cancel/", views.cancel, name="cancel"),
    path(
        "account/subscriptions/<str:subscription_id>/reactivate/",
        views.reactivate,
        name="reactivate",
    ),
    path("members/", views.members, name="members"),
]
