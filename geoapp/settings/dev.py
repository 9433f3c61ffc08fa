"""Local development: debug on, the project's own database."""

from .base import *  # noqa: F403

DEBUG = True
