"""modelcluster's ``ClusterableModel``, without its constructor's work for rows read from the database."""

from __future__ import annotations

from django.db import models

from modelcluster.models import ClusterableModel as BaseClusterableModel


class ClusterableModel(BaseClusterableModel):
    """modelcluster's constructor looks up every child relation of the model (a walk of its fields) to find
    child objects passed as keyword arguments; a row read from the database passes its values by position
    and never carries any. That look-up was half of the time of reading a listing page (50 evaluations and
    their criteria sets), so such rows skip it."""

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        if kwargs:
            super().__init__(*args, **kwargs)
        else:
            models.Model.__init__(self, *args)
