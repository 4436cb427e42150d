#!/usr/bin/env python3
"""Turn NUnit 2.6's TestResult.xml into the one summary line CI expects: `N passed, N failed`.

Failures, errors and tests NUnit could not run (NotRunnable, e.g. a bad signature) count as
failed; ignored tests are reported as skipped. On any failure the failing tests (and their
messages) are printed first. Exit status 1 when anything failed or nothing ran.
"""
import sys
import xml.etree.ElementTree as ET


def main(xml_path: str, log_path: str) -> int:
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as exc:
        print(open(log_path, encoding="utf-8", errors="replace").read()[-4000:])
        print(f"no usable NUnit result ({exc})")
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for case in root.iter("test-case"):
        result = case.get("result")
        if case.get("executed") != "True" and result != "NotRunnable":
            skipped += 1
            print(f"SKIPPED {case.get('name')}: {(case.findtext('./reason/message') or '').strip()}")
            continue
        if case.get("success") == "True":
            passed += 1
        else:
            failed += 1
            message = case.findtext("./failure/message") or case.findtext("./reason/message") or ""
            print(f"FAILED {case.get('name')}: {message.strip()[:2000]}")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
