# The admin's date picker writes day first (WAGTAIL_DATE_FORMAT) in every language: an officer who switched
# to English must not have 01/02/2025 read as 2 January.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
