"""Domain logic per capability. Handlers decide; they never talk HTTP and never import a platform SDK."""
