"""Run the 15-minute life-circle analysis and print per-district results."""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import SYSTEM
from analysis.network import MIN_COMPONENT_NODES
from lifecircle.services import (
    RESULT_FORMATS,
    lifecircle_result_rows,
    lifecircle_result_write,
    lifecircle_run,
)


def _json_value(v):
    """NaN (no facility within reach) is ``null`` in JSON; numpy scalars are plain."""
    if isinstance(v, float) and math.isnan(v):
        return None
    return v.item() if hasattr(v, "item") else v


class Command(BaseCommand):
    help = "15-minute life circle along the walk network; stores the run and prints a summary."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rules", help="rule set name (default: the default rule set)"
        )
        parser.add_argument("--district", help="district code or name")
        parser.add_argument(
            "--strict", action="store_true", help="800 m for the 15-min tier"
        )
        parser.add_argument(
            "--profile",
            choices=["adult", "elderly"],
            help="use time thresholds at this walking speed",
        )
        parser.add_argument("--snap-limit-m", type=float, default=150.0)
        parser.add_argument(
            "--min-component-nodes",
            type=int,
            default=MIN_COMPONENT_NODES,
            help="network components with fewer nodes are islands nothing snaps to "
            f"(default {MIN_COMPONENT_NODES}; 1 = snap to every component)",
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="write one row per community (code, name, residents, score, tiers "
            "met, <category>_m distances) to FILE: .csv, .geojson or .gpkg",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the run as JSON, with the per-community rows",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        output = Path(o["output"]) if o["output"] else None
        if output is not None:
            # refused before the analysis runs, not after
            if output.suffix.lower().lstrip(".") not in RESULT_FORMATS:
                raise CommandError(
                    f"--output {output.name}: the file must end in .csv, .geojson "
                    "or .gpkg"
                )
            if not output.parent.is_dir():
                raise CommandError(f"--output: no such directory {output.parent}")
        bar = None
        if not o["no_progress"] and not o["json"]:
            from tqdm import tqdm

            bar = tqdm(total=100, desc="life circle", unit="%")

        def progress(pct, label):
            if bar is not None:
                bar.set_postfix_str(label)
                bar.update(pct - bar.n)

        try:
            run = lifecircle_run(
                user=SYSTEM,
                ruleset_name=o["rules"],
                district=o["district"],
                strict=o["strict"],
                profile=o["profile"],
                snap_limit_m=o["snap_limit_m"],
                min_component_nodes=o["min_component_nodes"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        s = run.summary
        if output is not None:
            try:
                lifecircle_result_write(run, output)
            except (OSError, ValueError) as exc:
                raise CommandError(f"--output {output}: {exc}") from exc
        if o["json"]:
            rows = lifecircle_result_rows(run).drop(columns="geometry")
            self.stdout.write(
                json.dumps(
                    {
                        "run": run.pk,
                        "engine": run.engine,
                        "duration_s": run.duration_s,
                        "parameters": run.parameters,
                        "summary": s,
                        "output": str(output) if output else None,
                        "communities": [
                            {k: _json_value(v) for k, v in row.items()}
                            for row in rows.to_dict(orient="records")
                        ],
                    },
                    ensure_ascii=False,
                    default=str,
                )
            )
            return
        if output is not None:
            self.stdout.write(
                f"results of {run.coverage.count()} communities written to {output}"
            )
        self.stdout.write(
            f"run #{run.pk}: {run.engine}; {run.duration_s:.2f} s "
            f"({', '.join(f'{k} {v:.2f}' for k, v in s['timings'].items())})"
        )
        if s["mode"] != "network":
            self.stdout.write(
                self.style.WARNING("no walk network: STRAIGHT-LINE distances")
            )
        self.stdout.write(
            f"mean coverage score {s['mean_score']}; unreachable amenities "
            f"{s['unreachable_amenities_total']}, communities "
            f"{len(s['unreachable_communities'])}"
        )
        if s.get("islands_total"):
            self.stdout.write(
                f"{s['islands_total']} network island(s) below "
                f"{run.parameters['min_component_nodes']} nodes left out of snapping "
                f"(largest {s['islands'][0]['nodes']} nodes); map: "
                f"/api/lifecircle/runs/{run.pk}/islands.geojson"
            )
        self.stdout.write(
            f"{'district':<10}{'communities':>12}{'residents':>12}"
            f"{'5min%':>8}{'10min%':>8}{'15min%':>8}{'score':>8}"
        )
        for d in s["by_district"]:
            self.stdout.write(
                f"{d['district_code']:<10}{d['communities']:>12}{int(d['residents']):>12}"
                f"{100 * (d['share_tier_5min'] or 0):>8.1f}{100 * (d['share_tier_10min'] or 0):>8.1f}"
                f"{100 * (d['share_tier_15min'] or 0):>8.1f}{d['mean_score'] or 0:>8.1f}"
            )
