"""Rank idle plots / vacant public housing for a missing amenity and print the chosen set."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import SYSTEM
from siting import services


class Command(BaseCommand):
    help = (
        "Idle plots for a missing amenity: ranks idle land and vacant public housing by the "
        "residents a new facility would newly serve and chooses the best k (greedy / exact)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "category",
            nargs="+",
            help="facility category code(s), e.g. elderly_daycare",
        )
        parser.add_argument("--tier", type=int, help="tier in minutes (5, 10, 15)")
        parser.add_argument("--k", type=int, default=5, help="number of new sites")
        parser.add_argument(
            "--method", choices=["greedy", "exact", "both"], default="both"
        )
        parser.add_argument(
            "--district", action="append", help="district code (repeatable)"
        )
        parser.add_argument(
            "--kind", action="append", help="candidate kind (repeatable)"
        )
        parser.add_argument("--min-area-m2", type=float)
        parser.add_argument(
            "--consent",
            choices=["granted", "pending", "all"],
            default="granted",
            help="owners' consent of the plots: granted (default), pending (not yet "
            "asked or being asked, ranked apart) or all",
        )
        parser.add_argument("--lifecircle-run", type=int, help="life-circle run id")
        parser.add_argument(
            "--embedded",
            action="store_true",
            help="several categories: favour embedded service complexes",
        )
        parser.add_argument("--time-limit-s", type=float, default=30.0)
        parser.add_argument("--top", type=int, default=20, help="ranked rows to print")
        parser.add_argument("--json", action="store_true", help="print the run as JSON")

    def handle(self, *args, **o):
        cats = o["category"]
        common = {
            "method": o["method"],
            "kinds": o["kind"],
            "districts": o["district"],
            "min_area_m2": o["min_area_m2"],
            "consent_scope": o["consent"],
            "lifecircle_run": o["lifecircle_run"],
            "time_limit_s": o["time_limit_s"],
        }
        try:
            if len(cats) == 1 and not o["embedded"]:
                run = services.siting_run(
                    user=SYSTEM, category=cats[0], tier=o["tier"], k=o["k"], **common
                )
            else:
                if o["tier"] is not None:
                    msg = "--tier applies to one category; several use their own tiers"
                    raise ValueError(msg)
                run = services.siting_multi_run(
                    user=SYSTEM,
                    categories=cats,
                    k=o["k"],
                    embedded=o["embedded"],
                    **common,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        ranked = list(services.siting_results(run=run).values())
        if o["json"]:
            payload = {
                "run": run.pk,
                "parameters": run.parameters,
                "summary": run.summary,
                "candidates": [
                    {k: v for k, v in r.items() if k not in ("geom", "run_id")}
                    for r in ranked[: max(o["top"], 0) or None]
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
            return
        self._print(run, ranked, o["top"])

    def _print(self, run, ranked, top):
        s = run.summary
        w = self.stdout.write
        w(
            f"siting run #{run.pk} on life-circle run #{s['lifecircle_run']}: "
            f"{s['counts']['candidates']} candidates "
            f"({s['counts']['unreachable_candidates']} off the network), "
            f"{s['counts']['communities']} communities"
        )
        for c, d in s["demand"].items():
            w(
                f"  {c}: {d['communities_lacking']} communities / "
                f"{d['residents_lacking']} residents lack it within {d['distance_m']:.0f} m"
            )
        w("")
        w(
            "rank  category              kind            code              gain_res  comms  G  E  name"
        )
        by_cat: dict[str, int] = {}
        for r in ranked:
            n = by_cat.get(r["category"], 0)
            if n >= top:
                continue
            by_cat[r["category"]] = n + 1
            w(
                f"{r['rank']:>4}  {r['category']:<20}  {r['candidate_kind']:<14}  "
                f"{r['candidate_code']:<16}  {r['gain_residents']:>8}  "
                f"{r['gain_communities']:>5}  {'*' if r['chosen_greedy'] else ' '}  "
                f"{'*' if r['chosen_exact'] else ' '}  {r['name']}"
            )
        w("")
        for m, obj in s["objectives"].items():
            gap = obj.get("mip_gap")
            w(
                f"{m:>6}: objective {obj['objective_residents']:.0f} residents, "
                f"{obj['communities_covered']} communities, {obj['sites']} sites, "
                f"{obj['time_s']:.3f} s, status {obj['status']}"
                + (f", MIP gap {gap:.2e}" if gap is not None else "")
                + (
                    f", gap to greedy {obj['gap_to_greedy']:.2%}"
                    if m == "exact" and obj.get("gap_to_greedy") is not None
                    else ""
                )
            )
            for rec in s["explanation"].get(m, []):
                w(
                    f"        {rec['category']} @ {rec['code']} {rec.get('name') or ''} "
                    f"({rec['kind']}, {rec.get('owner') or '-'}, consent "
                    f"{rec.get('consent')}, {rec.get('area_m2') or 0:.0f} m² "
                    f"{rec.get('area_basis')}): +{rec['residents_gained']} residents in "
                    f"{rec['n_communities']} communities, max walk "
                    f"{rec.get('max_walk_m') or 0:.0f} m"
                )
        t = s["timings"]
        w(
            "times: "
            + ", ".join(
                f"{k} {v:.3f} s" for k, v in t.items() if isinstance(v, float | int)
            )
        )
