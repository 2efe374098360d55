#!/usr/bin/env bash
# Audits the pinned dependency set (requirements.lock and requirements-dev.lock) for known vulnerabilities.
#
#   bash scripts/audit.sh            # human-readable report; exit 1 when something needs attention
#   AUDIT_FORMAT=json bash scripts/audit.sh
#   AUDIT_REQUIRE_LIVE=1 bash scripts/audit.sh   # fail (exit 2) unless the live audit ran
#
# 1. Live: pip-audit, from a throwaway virtual env outside the project (nothing is installed
#    into .venv), asks PyPI's JSON API (or OSV with AUDIT_SERVICE=osv) about each pinned
#    release.
# 2. Offline fallback, when pip-audit cannot be installed or cannot reach its service (it
#    then reports packages as "not audited"): tools/audit.py matches the lock against
#    docs/advisories.yml, a curated list of advisories with our exposure assessment. That is
#    a list with a date and a known coverage, not a live database, and the report says so.
set -euo pipefail
cd "$(dirname "$0")/.."

offline() {
  echo "pip-audit could not audit the lock ($1); falling back to the curated offline list." >&2
  if [ "${AUDIT_REQUIRE_LIVE:-0}" = 1 ]; then
    echo "AUDIT_REQUIRE_LIVE=1: a live audit was required." >&2
    exit 2
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "No .venv: run scripts/setup.sh first (the offline audit runs with the project's Python)." >&2
    exit 2
  fi
  local format=text
  [ "${AUDIT_FORMAT:-text}" = json ] && format=json
  exec .venv/bin/python -m tools.audit --format "$format"
}

venv=$(mktemp -d "${TMPDIR:-/tmp}/audit-venv.XXXXXX")
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pip-audit \
    2> >(grep -v "is neither a file nor a directory" >&2); then
  offline "pip-audit could not be installed"
fi

report="$venv/report.json"
"$venv/bin/pip-audit" -r requirements.lock -r requirements-dev.lock --no-deps --disable-pip --progress-spinner off \
  --vulnerability-service "${AUDIT_SERVICE:-pypi}" --format json --output "$report" 2>/dev/null || true
if [ ! -s "$report" ]; then
  offline "pip-audit wrote no report"
fi

status=0
"$venv/bin/python" - "$report" "${AUDIT_FORMAT:-text}" <<'EOF' || status=$?
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
    if found:
        print("Exposure assessments for known advisories: docs/advisories.yml (tools/audit.py).")
if skipped:
    print(f"NOT AUDITED: {len(skipped)} packages, e.g. {skipped[0]['skip_reason']}", file=sys.stderr)
    sys.exit(2)
sys.exit(1 if found else 0)
EOF
if [ "$status" = 2 ]; then
  offline "its vulnerability service did not answer for every package"
fi
exit "$status"
