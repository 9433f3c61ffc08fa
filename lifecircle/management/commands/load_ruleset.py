"""Create or replace a life-circle rule set from a JSON file (a city's own standard)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lifecircle.rulesets import ruleset_import


class Command(BaseCommand):
    help = "Load a rule set (the format of fixtures/rulesets/gb50180_2018.json)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            rs = ruleset_import(data)
        except (OSError, json.JSONDecodeError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"rule set {rs.name!r} version {rs.version}: {rs.rules.count()} facility rules"
            )
        )
