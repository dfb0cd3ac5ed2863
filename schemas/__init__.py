"""JSON Schemas shipped with svclint (package data)."""
