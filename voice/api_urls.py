"""/api/public/voice/…: anonymous submissions and the published replies."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.submit, name="public-voice-submit"),
    path("<str:code>/", views.community_voice, name="public-voice"),
]
