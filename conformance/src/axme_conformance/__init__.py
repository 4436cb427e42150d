"""AXME conformance harness.

Two suites: the SDK conformance matrix (scenarios × SDK drivers against the
reference server) and the server contract suite (HTTP-level checks of any AXP
server). See conformance/README.md.
"""

__version__ = "0.1.0"
