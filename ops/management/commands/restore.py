"""Restore a backup archive into the configured, empty database (and the media folders).

    python manage.py restore backups/geoapp-geoapp-20261203T101500Z.tar

Create the empty database first (``scripts/pg.sh createdb NAME`` on the project's own
cluster, ``createdb`` elsewhere) and point the settings at it (GEOAPP_DB_NAME or
DATABASE_URL). The restore is refused if the database has tables, and it checks the
restored row counts and checksums against the archive's manifest.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database (ops/backup.py)"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            info = backup_restore(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {info['tables']} tables ({info['rows']} rows) and "
            f"{info['files']} files; counts and checksums match the backup"
        )
