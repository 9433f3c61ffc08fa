"""The demo accounts of `make run` (development settings only)."""

DEMO_PASSWORD = "ningbo-demo-2026"
DEMO_USERNAMES = ("planner", "district", "street", "viewer")
