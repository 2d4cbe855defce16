"""The simulation engine: the whole matched-cohort study, replicate by replicate."""
