"""``manage.py catalogs``: extract every translatable string (sources and data files) into
the English catalogs, compile them and list what still lacks English; ``--check`` changes
nothing and fails when something does (geoapp.catalogs)."""

from django.core.management.base import BaseCommand, CommandError

from geoapp import catalogs


class Command(BaseCommand):
    help = "Update locale/en catalogs from the sources; list msgids without English."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; fail on untranslated, fuzzy or stale msgids",
        )

    def handle(self, *args, check=False, **options):
        if check:
            found, stale = catalogs.check()
        else:
            found, stale = catalogs.update(), []
        for gap in found:
            self.stdout.write(str(gap))
        for domain, msgid in stale:
            self.stdout.write(
                f"{domain}.po  stale        {msgid!r}  (no source marks it)"
            )
        if check and (found or stale):
            raise CommandError(f"{len(found) + len(stale)} catalog entries to fix")
        if found:
            self.stdout.write(f"{len(found)} msgids to translate in locale/en")
