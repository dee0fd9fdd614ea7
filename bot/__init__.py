"""Wiring: settings, app factory, CLI, channels, scheduler and web server. It wires; it never decides."""
