"""Pages of the programme (mounted at /programme/): the public cards and the planner
pages (projects, reserve pool, annual plan, maintenance fund)."""

from django.urls import path

from . import governance_pages, pages, views

urlpatterns = [
    path("", pages.programme_home, name="programme-home"),
    path(
        "communities/<str:code>/",
        views.community_card,
        name="programme-community-card",
    ),
    path(
        "communities/<str:code>/scope/",
        pages.scope_decision,
        name="programme-scope-decision",
    ),
    path(
        "communities/<str:code>/fund/",
        pages.community_fund,
        name="programme-community-fund",
    ),
    path("projects/<int:pk>/", views.project_card, name="programme-project-card"),
    path(
        "projects/<int:pk>/manage/",
        pages.project_page,
        name="programme-project-page",
    ),
    path(
        "districts/<str:code>/reserve/",
        pages.reserve_pool,
        name="programme-reserve-pool",
    ),
    path(
        "districts/<str:code>/special-works/",
        pages.special_works_report,
        name="programme-special-works",
    ),
    path(
        "districts/<str:code>/special-works.csv",
        pages.special_works_csv,
        name="programme-special-works-csv",
    ),
    path(
        "districts/<str:code>/plan/<int:year>/",
        pages.annual_plan,
        name="programme-annual-plan",
    ),
    # property management and owners' committees (五(一), 五(二))
    path(
        "districts/<str:code>/governance/",
        governance_pages.district_governance,
        name="programme-district-governance",
    ),
    path(
        "districts/<str:code>/governance.csv",
        governance_pages.district_governance_csv,
        name="programme-district-governance-csv",
    ),
    path(
        "communities/<str:code>/governance/",
        governance_pages.community_governance,
        name="programme-community-governance",
    ),
]
