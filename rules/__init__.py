"""Built-in rules: one module per rule id (`-` becomes `_`). See svclint.api for the contract."""
