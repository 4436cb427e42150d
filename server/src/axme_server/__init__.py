"""axme-server: the reference AXP v1 server (durable intents, human approval built in)."""

__version__ = "0.1.0"
PROTOCOL = "axp/1"
