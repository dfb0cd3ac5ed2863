"""From paths to objects: reading inputs, parsing YAML documents, cutting out objects."""
