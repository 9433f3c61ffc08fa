"""Public open-data API: /api/public/…"""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path(
        "communities.geojson",
        views.CommunitiesGeoJSON.as_view(),
        name="public-communities",
    ),
    path(
        "communities/<str:code>/",
        views.CommunityDetail.as_view(),
        name="public-community",
    ),
    path(
        "districts.geojson", views.DistrictsGeoJSON.as_view(), name="public-districts"
    ),
    path("districts/", views.Districts.as_view(), name="public-district-list"),
    path("search/", views.CommunitySearch.as_view(), name="public-search"),
    path("stats/", views.ProgressStats.as_view(), name="public-stats"),
    path("funding-mix/", views.FundingMix.as_view(), name="public-funding-mix"),
    # z/x/y as free text so that non-integers reach the validator (400, not 404)
    re_path(
        r"^tiles/(?P<z>[^/]{1,24})/(?P<x>[^/]{1,24})/(?P<y>[^/]{1,24})\.mvt$",
        views.Tile.as_view(),
        name="public-tile",
    ),
    re_path(
        r"^basemap/(?P<z>[^/]{1,24})/(?P<x>[^/]{1,24})/(?P<y>[^/]{1,24})\.mvt$",
        views.BasemapTile.as_view(),
        name="public-basemap-tile",
    ),
]
