"""The planned study: Scenario, Funnel, effects, simulation settings, priors and presets."""
