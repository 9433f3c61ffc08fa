"""Server-rendered cards of the programme (mounted at /programme/)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "communities/<str:code>/",
        views.community_card,
        name="programme-community-card",
    ),
    path("projects/<int:pk>/", views.project_card, name="programme-project-card"),
]
