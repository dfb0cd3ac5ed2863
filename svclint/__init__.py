"""svclint: an offline linter for Kubernetes Service wiring."""

__version__ = "0.1.0"
