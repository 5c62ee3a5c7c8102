# Django's Vietnamese formats leave digits ungrouped; Vietnamese writes 76.887 (grouped by three with a
# dot). Used where grouping is asked for (``intcomma``); USE_THOUSAND_SEPARATOR stays off elsewhere.
NUMBER_GROUPING = 3

# Day first, as the admin's pickers write in every language (``config.formats``).
from config.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: E402, F401 (read by Django by name)
