"""Planner pages."""

from django.urls import path

from . import candidates, publish, views

urlpatterns = [
    path("", views.workspace, name="planner"),
    path("candidates/", candidates.candidates, name="planner-candidates"),
    path("publish/", publish.publish_page, name="planner-publish"),
    path("publish/run/", publish.publish_view, name="planner-publish-run"),
    path(
        "candidates/<int:pk>/confirm/",
        candidates.candidate_confirm_view,
        name="planner-candidate-confirm",
    ),
    path(
        "candidates/<int:pk>/dismiss/",
        candidates.candidate_dismiss_view,
        name="planner-candidate-dismiss",
    ),
]
