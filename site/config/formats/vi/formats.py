# Django's Vietnamese formats leave digits ungrouped; Vietnamese writes 76.887 (grouped by three with a
# dot). Used where grouping is asked for (``intcomma``); USE_THOUSAND_SEPARATOR stays off elsewhere.
NUMBER_GROUPING = 3

# Day first, as the admin's pickers write in every language (``config.formats``).
from config.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: E402, F401 (read by Django by name)

# A moment as written in a Vietnamese sentence: "12:29 ngày 03/12/2026" (Django's reads "12:29 Ngày 03 tháng
# 12 năm 2026", capitalised mid-sentence and twice as long in a list).
DATETIME_FORMAT = r"H:i \n\gà\y d/m/Y"

# A date as the project writes it everywhere else (templates say ``|date:"d/m/Y"``): "01/01/2021" on inspect
# pages and in lists, where Django's reads "Ngày 01 tháng 1 năm 2021".
DATE_FORMAT = "d/m/Y"
