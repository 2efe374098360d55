#!/usr/bin/env bash
# Audits the pinned dependency set (requirements.lock) for known vulnerabilities with
# pip-audit, from a throwaway virtual env outside the project (nothing is installed into .venv).
#
#   bash scripts/audit.sh            # human-readable report; exit 1 when something is found
#   AUDIT_FORMAT=json bash scripts/audit.sh
#
# pip-audit asks PyPI's JSON API (or OSV with AUDIT_SERVICE=osv) about each pinned release.
# Where those services cannot be reached, every package is reported as skipped ("could not
# be audited"): that is no clean bill of health, and this script says so and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$(mktemp -d "${TMPDIR:-/tmp}/audit-venv.XXXXXX")
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pip-audit \
  2> >(grep -v "is neither a file nor a directory" >&2)

report="$venv/report.json"
status=0
"$venv/bin/pip-audit" -r requirements.lock --no-deps --disable-pip --progress-spinner off \
  --vulnerability-service "${AUDIT_SERVICE:-pypi}" --format json --output "$report" 2>/dev/null || status=$?

"$venv/bin/python" - "$report" "${AUDIT_FORMAT:-text}" <<'EOF'
import json
import sys

report = json.load(open(sys.argv[1]))
deps = report["dependencies"]
skipped = [d for d in deps if d.get("skip_reason")]
found = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
if sys.argv[2] == "json":
    print(json.dumps(report, indent=2))
else:
    for name, version, vuln in found:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix"
        print(f"{name} {version}: {vuln['id']} (fixed in: {fixed})")
    print(f"{len(deps)} pinned packages, {len(found)} known vulnerabilities, {len(skipped)} not audited")
if skipped:
    print(f"NOT AUDITED: {len(skipped)} packages, e.g. {skipped[0]['skip_reason']}", file=sys.stderr)
    sys.exit(2)
sys.exit(1 if found else 0)
EOF
