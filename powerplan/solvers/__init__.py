"""Questions of a planned study: solve for an unknown, sweep a setting, assurance."""
