"""Regional templates: one module per template, each holding that template's own rules.

A template module provides `NAME`, `detect(text) -> bool`, `describe(path, lines, provenance)
-> document fields` and `extract(doc)`. To add a region, write one module and list it here,
more specific templates first (the Sichuan one is the fallback for the genre).
"""

from cnbudget.regions import shanghai, sichuan

REGIONS = [shanghai, sichuan]
