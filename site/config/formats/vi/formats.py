# Django's Vietnamese formats leave digits ungrouped; Vietnamese writes 76.887 (grouped by three with a
# dot). Used where grouping is asked for (``intcomma``); USE_THOUSAND_SEPARATOR stays off elsewhere.
NUMBER_GROUPING = 3
