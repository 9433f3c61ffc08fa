"""Create the demo planner account (idempotent) and print its credentials."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo accounts used by `make run` and print their credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="planner")
        parser.add_argument("--password", default="ningbo-demo-2026")

    def handle(self, *args, username, password, **options):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.is_staff = True
            user.is_superuser = True
            user.save()
        state = "created" if created else "exists (password unchanged)"
        self.stdout.write(
            self.style.SUCCESS(
                f"demo planner {state}: username '{username}' password '{password}'  "
                f"→ http://127.0.0.1:8000/accounts/login/  admin: /{settings.ADMIN_URL}"
            )
        )
