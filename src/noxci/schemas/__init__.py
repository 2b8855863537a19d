"""JSON Schemas and defaults shipped with noxci."""
