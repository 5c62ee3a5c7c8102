"""The areas the benches measure: the benchmark province and its busiest commune."""

from __future__ import annotations

from django.db.models import Count

from bench.harness import YEAR
from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
from evaluations.models.units import in_subtree


def bench_province():
    return AdministrativeUnit.objects.filter(code="58", level=UnitLevel.PROVINCE).first()


def busiest_area():
    """The old district with most evaluations: the listing a district officer opens most."""
    districts = list(AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT))
    counts = {d: Evaluation.objects.filter(in_subtree(d), year=YEAR).aggregate(n=Count("pk"))["n"] for d in districts}
    return max(counts, key=counts.get)
