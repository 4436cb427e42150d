#!/usr/bin/env python3
"""Placeholder replaced in the next commit: bundle freshness + OpenAPI lint."""
import json, subprocess, sys
from pathlib import Path
from openapi_spec_validator import validate
SPEC = Path(__file__).resolve().parent.parent
if subprocess.call([sys.executable, str(SPEC / "tools" / "bundle.py"), "--check"]):
    sys.exit(1)
validate(json.loads((SPEC / "dist" / "openapi.json").read_text()))
print("spec-check: OK (bundle fresh, OpenAPI valid)")
