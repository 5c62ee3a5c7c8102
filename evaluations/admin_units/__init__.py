"""Official administrative units of any province, before and after 1/7/2025, and the official old -> new mapping.

The lists and the mapping come from the ``vietnamadminunits`` package:

- ``dataset.db``, table ``admin_units_legacy``: the 63 former provinces with their districts and communes (one
  row per commune; five island districts had no commune level: one row each, without a commune);
- ``dataset.db``, table ``admin_units``: the 34 provinces from 1/7/2025 and their communes;
- ``converter_2025.json``: ``DICT_PROVINCE`` (new province key -> former province keys),
  ``DICT_PROVINCE_WARD_NO_DIVIDED`` (new province key -> new commune key -> former commune keys
  ``"<province>_<district>_<commune>"``) and ``DICT_PROVINCE_WARD_DIVIDED`` (new province key -> former
  commune key -> the new communes it was divided between, one of them the default).

A load is asked for today's provinces: naming a former province loads the province it went into. Each is
loaded with its communes (valid from 1/7/2025), every former province that went into it with its districts
and communes (valid to 30/6/2025), and the ``UnitSuccession`` rows old -> new. The default is today's
Khánh Hòa (code 56), which holds the former Ninh Thuận (58) and the former Khánh Hòa (also 56).

Units are matched on (GSO code, start date): GSO gave many new communes the code of an old one, and
today's Khánh Hòa has the code of the former Khánh Hòa, so a code alone is no key across 2025. Loading
again changes nothing; a unit whose name was edited gets the official one back.

Optionally a national root (the national association, Hội Khuyến học Việt Nam) holds the provinces; see
:func:`ensure_national_root`.
"""

from .data import DATA_DIR, AdminUnitsError, LoadReport, OfficialData, official_data
from .load import load_admin_units, province_keys
from .tree import TreeWriter, ensure_national_root, national_root

__all__ = [
    "DATA_DIR",
    "AdminUnitsError",
    "LoadReport",
    "OfficialData",
    "TreeWriter",
    "ensure_national_root",
    "load_admin_units",
    "national_root",
    "official_data",
    "province_keys",
]
