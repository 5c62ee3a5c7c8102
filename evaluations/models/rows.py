"""Rows read from the database put straight into their instances."""

from __future__ import annotations

from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class ReadDirectly(models.Model):
    """``Model.from_db`` calls the constructor, which walks every field of the model (a placeholder for each
    field not read), sets each value through ``setattr`` and sends ``pre_init`` and ``post_init``. For a row
    of the database the result is the values in the instance's ``__dict__`` under their field's attribute
    name, fields not read left out (loaded when first used): that is what this writes, directly. Reading a
    listing page (50 evaluations with their subjects, units and criteria sets) spent half its time in the
    constructor. Where a receiver listens to either signal for the model, the constructor runs as before."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        row = cls.__new__(cls)
        row.__dict__.update(zip(field_names, values, strict=True))
        state = row._state = ModelState()
        state.adding = False
        state.db = db
        return row
