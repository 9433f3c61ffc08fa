"""Make a consistent backup: ``pg_dump -Fc`` of the database and the files it refers to.

python manage.py backup [--output-dir DIR]      # default GEOAPP_BACKUP_DIR (backups/)
"""

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and its media files into one archive (ops/backup.py)"

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", help="where the archive goes")

    def handle(self, *args, output_dir=None, **options):
        try:
            path = backup_create(output_dir=output_dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
