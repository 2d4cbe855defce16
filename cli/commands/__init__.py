"""The commands of ``powerplan``, a module each (``plan`` holds power, size and mde)."""
