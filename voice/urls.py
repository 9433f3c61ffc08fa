"""/voice/…: the moderation queue (staff)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="voice-queue"),
    path("<int:pk>/", views.moderate, name="voice-moderate"),
]
