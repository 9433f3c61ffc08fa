"""Routes of the blocks API (mounted at /api/blocks/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("runs/", views.RunsView.as_view(), name="blocks-runs"),
    path("runs/latest/", views.RunLatestView.as_view(), name="blocks-run-latest"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="blocks-run"),
    path(
        "runs/<int:pk>/blocks.geojson",
        views.RunBlocksGeoJSONView.as_view(),
        name="blocks-run-geojson",
    ),
    path(
        "runs/<int:pk>/export.<str:fmt>",
        views.RunBlocksExportView.as_view(),
        name="blocks-run-export",
    ),
    path("blocks/<str:code>/", views.BlockDetailView.as_view(), name="blocks-block"),
    path(
        "blocks/<str:code>/<str:action>/",
        views.BlockActionView.as_view(),
        name="blocks-block-action",
    ),
]
