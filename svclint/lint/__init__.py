"""Running rules: the registry, the engine, what rules yield, findings, suppression."""
