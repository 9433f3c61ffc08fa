"""Layer endpoints: /api/layers/<layer>.geojson."""

from django.urls import path

from . import views

urlpatterns = [
    path("districts.geojson", views.DistrictLayer.as_view(), name="layer-districts"),
    path("streets.geojson", views.StreetLayer.as_view(), name="layer-streets"),
    path(
        "communities.geojson", views.CommunityLayer.as_view(), name="layer-communities"
    ),
    path("idle-land.geojson", views.IdleLandLayer.as_view(), name="layer-idle-land"),
    path(
        "vacant-housing.geojson",
        views.VacantHousingLayer.as_view(),
        name="layer-vacant-housing",
    ),
    path(
        "special-works.geojson",
        views.SpecialWorkLayer.as_view(),
        name="layer-special-works",
    ),
    path("amenities.geojson", views.AmenityLayer.as_view(), name="layer-amenities"),
    path(
        "walk-network.geojson",
        views.WalkSegmentLayer.as_view(),
        name="layer-walk-network",
    ),
    path(
        "categories.json", views.AmenityCategoryList.as_view(), name="layer-categories"
    ),
]
