"""Audit rules over the budget_lines and stated_changes records of one document (no template titles).

`cnbudget.checks.check_extraction` runs them; each module is one class of defect:
`changes` (stated changes against the base the sentence names), `shares` (printed shares),
`finals` (决算 identities and completion rates), `names` (function names and codes),
`repeats` (the document repeating itself, empty or copied notes), `grouping` (one defect, one finding).
"""
