"""cnbudget: open data from Chinese department budget disclosures."""
