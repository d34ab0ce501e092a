"""Regional templates: one module per template, each holding that template's own rules."""
