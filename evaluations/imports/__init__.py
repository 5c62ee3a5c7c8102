"""Importing lists from spreadsheets (xlsx, xls, ods, csv): read -> validate -> plan -> apply.

``readers`` opens a file safely and finds its header, ``columns`` says which columns each kind has,
``resolve`` turns commune and village names into units, ``importer`` validates every row, plans what
to create and update, and writes it in one transaction; ``templates`` and ``errors`` write the
downloadable template and the error workbook.
"""
