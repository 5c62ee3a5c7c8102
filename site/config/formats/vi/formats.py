# Django's Vietnamese formats leave digits ungrouped; Vietnamese writes 76.887 (grouped by three with a
# dot). Used where grouping is asked for (``intcomma``); USE_THOUSAND_SEPARATOR stays off elsewhere.
NUMBER_GROUPING = 3

# Dates are typed and shown day first (WAGTAIL_DATE_FORMAT, the admin's date picker): Django's Vietnamese
# formats define no input formats, and the default ones read 01/02/2025 month first.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
