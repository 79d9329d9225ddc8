"""Print the workflow table, or a Graphviz picture of it (--format dot)."""

from django.core.management.base import BaseCommand

from complaints.models import Status
from complaints.workflow import BEFORE_DECISION, MOVES_IN_ORDER, Role


class Command(BaseCommand):
    help = "Print the case workflow: every move, from which statuses, to which, and who may make it."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["table", "dot"], default="table")

    def handle(self, *args, format, **options):
        self.stdout.write(self.as_dot() if format == "dot" else self.as_table())

    @staticmethod
    def _roles(move) -> str:
        return ", ".join(role.label.split(" (")[0] for role in Role if role in move.roles)

    def as_table(self) -> str:
        rows = [("move", "from", "to", "who may", "clocks", "letters")]
        for move in MOVES_IN_ORDER:
            sources = ", ".join(status for status in Status if status in move.sources)
            clocks = "; ".join(
                part
                for part in (
                    "meets " + ", ".join(move.meets) if move.meets else "",
                    "starts " + ", ".join(move.starts + move.starts_if_enrollee_won)
                    if move.starts or move.starts_if_enrollee_won
                    else "",
                    "stops " + ", ".join(move.stops) if move.stops else "",
                    "stops all running" if move.stops_all_running else "",
                )
                if part
            )
            letters = ", ".join(f"{kind} to {recipient}" for kind, recipient in move.letters)
            rows.append((move.name, sources, move.target, self._roles(move), clocks, letters))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)

    def as_dot(self) -> str:
        lines = [
            "digraph case_workflow {",
            '  rankdir=TB; node [shape=box, style="rounded", fontname="Helvetica"];',
            '  edge [fontname="Helvetica", fontsize=10];',
        ]
        for status in Status:
            shape = ", peripheries=2" if not any(status in move.sources for move in MOVES_IN_ORDER) else ""
            lines.append(f'  {status} [label="{status.label}"{shape}];')
        # Moves open from every status before a decision would draw a thicket of arrows: they
        # leave from one note instead.
        lines.append('  BEFORE_DECISION [label="Any status before a decision", shape=note, style=dashed];')
        for move in MOVES_IN_ORDER:
            label = f'[label="{move.name}\\n({self._roles(move)})"]'
            if move.sources == BEFORE_DECISION:
                lines.append(f"  BEFORE_DECISION -> {move.target} {label};")
                continue
            for source in (status for status in Status if status in move.sources):
                lines.append(f"  {source} -> {move.target} {label};")
        lines.append("}")
        return "\n".join(lines)
