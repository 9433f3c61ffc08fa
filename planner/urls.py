"""Planner pages."""

from django.urls import path

from . import candidates, views

urlpatterns = [
    path("", views.workspace, name="planner"),
    path("candidates/", candidates.candidates, name="planner-candidates"),
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
