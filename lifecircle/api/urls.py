"""Life-circle API routes."""

from django.urls import path

from . import views

urlpatterns = [
    path("lifecircle/runs/", views.LifeCircleRuns.as_view(), name="lifecircle-runs"),
    path(
        "lifecircle/runs/latest/",
        views.LifeCircleLatest.as_view(),
        name="lifecircle-latest",
    ),
    path(
        "lifecircle/runs/<int:pk>/",
        views.LifeCircleRunDetail.as_view(),
        name="lifecircle-run",
    ),
    path(
        "lifecircle/runs/<int:pk>/communities.geojson",
        views.LifeCircleCommunities.as_view(),
        name="lifecircle-communities",
    ),
    path(
        "lifecircle/runs/<int:pk>/export.<str:fmt>",
        views.LifeCircleExport.as_view(),
        name="lifecircle-export",
    ),
    path(
        "lifecircle/runs/<int:pk>/distance.tif",
        views.LifeCircleDistanceTiff.as_view(),
        name="lifecircle-distance-tiff",
    ),
    path(
        "lifecircle/runs/<int:pk>/unreachable.geojson",
        views.LifeCircleUnreachable.as_view(),
        name="lifecircle-unreachable",
    ),
    path(
        "lifecircle/runs/<int:pk>/islands.geojson",
        views.LifeCircleIslands.as_view(),
        name="lifecircle-islands",
    ),
    path(
        "lifecircle/runs/<int:pk>/supply.geojson",
        views.LifeCircleSupply.as_view(),
        name="lifecircle-supply",
    ),
    path(
        "lifecircle/runs/<int:pk>/what-if/",
        views.LifeCircleWhatIf.as_view(),
        name="lifecircle-what-if",
    ),
]
