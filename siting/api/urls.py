"""Routes of the siting API (mounted at /api/siting/)."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("runs/", views.SitingRuns.as_view(), name="siting-runs"),
    path("runs/<int:pk>/", views.SitingRunDetail.as_view(), name="siting-run"),
    path(
        "runs/<int:pk>/candidates.geojson",
        views.SitingCandidates.as_view(),
        name="siting-candidates",
    ),
    re_path(
        r"^runs/(?P<pk>[0-9]+)/export\.(?P<fmt>[a-z]+)$",
        views.SitingExport.as_view(),
        name="siting-export",
    ),
    path("scenarios/", views.SitingScenarios.as_view(), name="siting-scenarios"),
    path(
        "scenarios/<int:pk>/",
        views.SitingScenarioDetail.as_view(),
        name="siting-scenario",
    ),
    path(
        "scenarios/<int:pk>/what-if/",
        views.SitingScenarioWhatIf.as_view(),
        name="siting-scenario-what-if",
    ),
    path(
        "whatif-scenarios/",
        views.WhatIfScenarios.as_view(),
        name="siting-whatif-scenarios",
    ),
    path(
        "whatif-scenarios/<int:pk>/",
        views.WhatIfScenarioDetail.as_view(),
        name="siting-whatif-scenario",
    ),
]
