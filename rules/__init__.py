"""Pure merit rules: rule packs, their compiler, the durable_rules adapter and explanations."""
