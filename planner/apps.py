"""Planner workspace: roles, planning areas, map editing with history, analyses from the page."""

from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = "规划工作台"
