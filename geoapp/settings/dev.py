"""Local development: debug on, the project's own database."""

from .base import *  # noqa: F403

DEBUG = True
GEOAPP_DEMO_ACCOUNTS = True  # `make run` creates the demo planner accounts
