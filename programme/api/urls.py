"""Routes of the programme API (mounted at /api/programme/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="programme-project")

urlpatterns = [
    path(
        "communities/<str:code>/eligibility/",
        views.CommunityEligibilityView.as_view(),
        name="programme-eligibility",
    ),
    path(
        "projects/<int:pk>/funding/",
        views.ProjectFundingView.as_view(),
        name="programme-funding",
    ),
    path("progress/", views.ProgressView.as_view(), name="programme-progress"),
    path(
        "special-works/conflicts.geojson",
        views.SpecialWorkConflictsView.as_view(),
        name="programme-special-work-conflicts",
    ),
    path(
        "progress.xlsx",
        views.ProgressXlsxView.as_view(),
        name="programme-progress-xlsx",
    ),
    *router.urls,
]
