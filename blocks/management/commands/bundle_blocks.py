"""bundle_blocks — group adjacent communities into renovation blocks (连片改造) and store the run."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import SYSTEM
from blocks import services


class Command(BaseCommand):
    help = "Bundle adjacent communities into renovation blocks (四(四) 连片改造)."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="district code or name")
        parser.add_argument("--street", help="street code or name")
        parser.add_argument(
            "--selected",
            choices=["all", "eligible"],
            default="eligible",
            help="communities to bundle (default: eligible, 二(一))",
        )
        parser.add_argument(
            "--group-by", choices=["street", "district"], default="street"
        )
        parser.add_argument("--gap-m", type=float, default=30.0)
        parser.add_argument("--min-households", type=float, default=300)
        parser.add_argument("--max-households", type=float, default=3000)
        parser.add_argument("--min-communities", type=int, default=2)
        parser.add_argument("--max-communities", type=int, default=None)
        parser.add_argument("--no-barriers", action="store_true")
        parser.add_argument(
            "--barrier-road-class",
            choices=["arterial", "secondary", "local", "alley"],
            default=None,
            help="also treat every walk segment at or above this class as a barrier",
        )
        parser.add_argument("--no-gaps", action="store_true")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="print the run as JSON")

    def handle(self, *args, **o):
        try:
            run = services.bundle_run(
                user=SYSTEM,
                district=o["district"],
                street=o["street"],
                selected=None if o["selected"] == "all" else "eligible",
                group_by=o["group_by"],
                gap_m=o["gap_m"],
                min_households=o["min_households"],
                max_households=o["max_households"],
                min_communities=o["min_communities"],
                max_communities=o["max_communities"],
                use_barriers=not o["no_barriers"],
                barrier_road_class=o["barrier_road_class"],
                use_gaps=not o["no_gaps"],
                seed=o["seed"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        s = run.summary
        if o["json"]:
            out = {
                "run": run.pk,
                "status": run.status,
                "duration_s": run.duration_s,
                "parameters": run.parameters,
                "summary": s,
                "blocks": list(
                    run.blocks.filter(is_active=True)
                    .order_by("code")
                    .values("code", "name", "n_communities", "households", "locked")
                ),
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
            return
        self.stdout.write(
            f"run #{run.pk}: {s['n_blocks']} blocks, {s['n_assigned']} of "
            f"{s['n_selected']} selected communities assigned, {s['n_unassigned']} "
            f"unassigned {s['unassigned_by_reason']} in {run.duration_s:.2f} s"
        )
