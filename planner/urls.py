"""Planner pages."""

from django.urls import path

from . import views

urlpatterns = [path("", views.workspace, name="planner")]
