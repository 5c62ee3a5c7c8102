"""Importing lists from spreadsheets (xlsx, xls, ods, csv): read -> parse -> plan -> write.

``readers`` opens a file safely and finds its header, ``columns`` says which columns each kind has,
``cells`` parses each cell, ``resolve`` turns commune and village names into units, ``planning`` matches
the rows to stored subjects and plans what to create and update (``results`` for evaluation results),
``writing`` writes it through the bulk subject service, and ``importer`` runs the steps in one transaction
(the entry points the screens, ``jobs`` and the ``import_workbook`` command call); ``templates`` and
``errors`` write the downloadable template and the error workbook.
"""
