"""Regions are hints, the readers drive: one small module per region, listed in REGIONS.

A hint module provides `NAME` and `PROVINCE` (the province-level name, '' for the central
level) and `CITIES` (cities and districts whose names may stand alone on a cover), and may
provide:

- `detect(text) -> bool`, to claim a document by its own wording (checked before places);
- `TITLE_SYNONYMS`: {table kind: [printed titles]} the table reader also accepts;
- `LABEL_VARIANTS`: [(printed, known)] same-length rewrites before the narrative reader reads a
  sentence;
- `describe(path, lines, provenance)` and `extract(doc)`: a template with its own reader
  (Shanghai's district PDFs keep theirs until its tables move to the shared reader).

An unknown region gets the generic readers and region None — never a refusal. To add a region,
write one module and add it to REGIONS.
"""

from cnbudget.regions import (
    beijing, central, guangdong, shaanxi, shandong, shanghai, sichuan, yunnan,
)

REGIONS = [shanghai, central, beijing, guangdong, shaanxi, shandong, sichuan, yunnan]


def hook(region, name):
    """What a hint module (or None) defines as `name`, else None: getattr(region, name, None).

    Looked up in the module's namespace: getattr and hasattr on a name a module lacks build an
    AttributeError and its message first (most modules lack detect, extract and describe), about
    a tenth of the non-narrative work on a document. No hint module has a module __getattr__.
    """
    return None if region is None else vars(region).get(name)


def find_region(text, place, level):
    """The hint module of this document (by its own wording, then by its unit's place), or None."""
    for region in REGIONS:
        detect = hook(region, "detect")
        if detect is not None and detect(text):
            return region
    if level == "central":
        return central
    for region in REGIONS:
        if hook(region, "extract") is not None:
            continue  # a template with its own reader claims documents by detect() only
        if place.get("province") and place["province"] == region.PROVINCE:
            return region
        if place.get("city") and (place["city"] == region.PROVINCE or place["city"] in region.CITIES):
            return region
    return None


def region_name(region, place):
    """'广东省深圳市', '北京市', '中央': the province from the hints, the rest as printed."""
    province = hook(region, "PROVINCE")
    if province == "":
        return "中央"
    parts = [place.get("province") or province]
    for key in ("city", "district"):
        if place.get(key) and place[key] not in parts:
            parts.append(place[key])
    return "".join(p for p in parts if p) or None
