"""Public pages and OGC API – Features: /public/…"""

from django.urls import path

from . import ogc, views

urlpatterns = [
    path("", views.public_map, name="public-map"),
    path("stats/", views.stats_page, name="public-stats-page"),
    path("photos/<str:code>/<int:photo_id>/", views.photo, name="public-photo"),
    path("ogc/", ogc.landing, name="ogc-landing"),
    path("ogc/conformance", ogc.conformance, name="ogc-conformance"),
    path("ogc/collections", ogc.collections, name="ogc-collections"),
    path("ogc/collections/<str:cid>", ogc.collection, name="ogc-collection"),
    path("ogc/collections/<str:cid>/items", ogc.items, name="ogc-items"),
    path("ogc/collections/<str:cid>/items/<str:fid>", ogc.item, name="ogc-item"),
]
