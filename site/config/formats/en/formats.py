# Day first, as the admin's pickers write in every language (``config.formats``).
from config.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401 (read by Django by name)
