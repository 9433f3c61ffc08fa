"""Analysis-run API routes."""

from django.urls import path

from . import views

urlpatterns = [
    path("runs/<int:pk>/", views.AnalysisRunDetail.as_view(), name="analysis-run"),
    path(
        "runs/<int:pk>/requeue/",
        views.AnalysisRunRequeue.as_view(),
        name="analysis-run-requeue",
    ),
    path(
        "runs/<int:pk>/cancel/",
        views.AnalysisRunCancel.as_view(),
        name="analysis-run-cancel",
    ),
]
