"""Configuration: the `.svclint.yaml` file, and the settings a run gets from it and the flags."""
