"""Create the demo accounts of `make run` (idempotent) and print their credentials.

Development settings only (``GEOAPP_DEMO_ACCOUNTS``); ``check --deploy`` refuses a
database that still holds them (accounts/checks.py).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD
from accounts.models import Profile, Role
from layers.models import District, Street


def demo_accounts() -> list[tuple[str, str, str | None]]:
    """(username, role, district or street code) of every demo account."""
    district = District.objects.order_by("code").first()
    street = (
        Street.objects.filter(district=district).order_by("code").first()
        if district
        else None
    )
    out: list[tuple[str, str, str | None]] = [("planner", Role.CITY_ADMIN, None)]
    # usernames: accounts.demo.DEMO_USERNAMES
    if district is not None:
        out.append(("district", Role.DISTRICT_PLANNER, district.code))
    if street is not None:
        out.append(("street", Role.STREET_STAFF, street.code))
    out.append(("viewer", Role.VIEWER, None))
    return out


class Command(BaseCommand):
    help = "Create the demo accounts used by `make run` and print their credentials."

    def handle(self, *args, **options):
        if not settings.GEOAPP_DEMO_ACCOUNTS:
            msg = (
                "demo accounts are for development only "
                "(GEOAPP_DEMO_ACCOUNTS is off in these settings)"
            )
            raise CommandError(msg)
        user_model = get_user_model()
        for username, role, area in demo_accounts():
            user, created = user_model.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                # the city administrator may open the admin; roles do the rest
                user.is_staff = role == Role.CITY_ADMIN
                user.save()
            profile, _ = Profile.objects.get_or_create(user=user)
            profile.role = role
            profile.district = (
                District.objects.get(code=area)
                if role == Role.DISTRICT_PLANNER
                else None
            )
            profile.street = (
                Street.objects.get(code=area) if role == Role.STREET_STAFF else None
            )
            profile.save()
            state = "created" if created else "exists (password unchanged)"
            where = f" [{area}]" if area else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"demo {role}{where} {state}: username '{username}' "
                    f"password '{DEMO_PASSWORD}'"
                )
            )
        self.stdout.write(
            "→ http://127.0.0.1:8000/accounts/login/  "
            f"admin: http://127.0.0.1:8000/{settings.ADMIN_URL}"
        )
