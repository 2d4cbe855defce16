"""Result values: they print themselves, convert to dicts and frames, and plot."""
