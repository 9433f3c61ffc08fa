"""Planner API routes."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.Me.as_view(), name="planner-me"),
    path("search/", views.Search.as_view(), name="planner-search"),
    path(
        "features/<str:kind>/",
        views.FeatureCollection.as_view(),
        name="planner-features",
    ),
    path(
        "features/<str:kind>/<str:code>/",
        views.FeatureDetail.as_view(),
        name="planner-feature",
    ),
    path(
        "features/<str:kind>/<str:code>/undo/",
        views.FeatureUndo.as_view(),
        name="planner-feature-undo",
    ),
    path(
        "features/<str:kind>/<str:code>/history/",
        views.FeatureHistory.as_view(),
        name="planner-feature-history",
    ),
    path(
        "tiles/<str:layer>/<str:z>/<str:x>/<str:y>.mvt",
        views.LayerTile.as_view(),
        name="planner-tile",
    ),
    path(
        "tiles/runs/<int:pk>/<str:layer>/<str:z>/<str:x>/<str:y>.mvt",
        views.RunTile.as_view(),
        name="planner-run-tile",
    ),
    path(
        "analyses/<str:kind>/",
        views.AnalysisEnqueue.as_view(),
        name="planner-analysis",
    ),
]
