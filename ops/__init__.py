"""Operational runs against a scratch deployment: ``make faults`` and ``make load``."""
