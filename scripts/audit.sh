#!/usr/bin/env bash
# Audits the pinned dependency set (requirements.lock and requirements-dev.lock) for known vulnerabilities.
#
#   bash scripts/audit.sh                          # the live audit; fails when it cannot run
#   AUDIT_ALLOW_OFFLINE=1 bash scripts/audit.sh    # ... or accept the curated offline list instead
#   AUDIT_FORMAT=json bash scripts/audit.sh
#
# 1. Live: pip-audit, from a throwaway virtual env outside the project (nothing is installed
#    into .venv), asks PyPI's JSON API (or OSV with AUDIT_SERVICE=osv) about each pinned
#    release. AUDIT_PIP_AUDIT=/path/to/pip-audit uses that one instead (the tests use a fake).
# 2. When the live audit cannot run (pip-audit cannot be installed, writes no report, or its
#    service leaves packages "not audited"), the script says why and runs the offline check:
#    tools/audit.py matches the lock against docs/advisories.yml, a curated list of advisories
#    with our exposure assessment, a list with a date and a known coverage, not a live database.
#    That counts as the audit only when AUDIT_ALLOW_OFFLINE=1 says so; otherwise the script
#    shows its report and fails.
# The last line on stderr always says which audit the exit status is about.
# Exit status: 0 nothing needs attention; 1 something does; 2 the audit could not be set up;
# 3 the live audit could not run and the offline list was not accepted (AUDIT_ALLOW_OFFLINE=1).
set -euo pipefail
cd "$(dirname "$0")/.."

format=text
[ "${AUDIT_FORMAT:-text}" = json ] && format=json

offline() {
  echo "The live audit could not run: $1." >&2
  if [ ! -x .venv/bin/python ]; then
    echo "No .venv: run scripts/setup.sh first (the offline audit runs with the project's Python)." >&2
    echo "Audit: NONE (no live audit, no offline check)." >&2
    exit 2
  fi
  local status=0
  .venv/bin/python -m tools.audit --format "$format" || status=$?
  if [ "${AUDIT_ALLOW_OFFLINE:-0}" = 1 ]; then
    echo "Audit: OFFLINE curated list (docs/advisories.yml), accepted by AUDIT_ALLOW_OFFLINE=1; exit $status." >&2
    exit "$status"
  fi
  echo "Audit: NOT DONE. Only the offline curated list could be checked (report above), and it is not" \
       "accepted as the audit unless AUDIT_ALLOW_OFFLINE=1 is set. Run it where PyPI or OSV can be reached." >&2
  exit 3
}

if [ -n "${AUDIT_PIP_AUDIT:-}" ]; then
  pip_audit=$AUDIT_PIP_AUDIT
  work=$(mktemp -d "${TMPDIR:-/tmp}/audit.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  [ -x "$pip_audit" ] || offline "AUDIT_PIP_AUDIT=$pip_audit is not an executable"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/audit-venv.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  python3 -m venv "$work" || offline "no virtual env for pip-audit could be made"
  if ! "$work/bin/python" -m pip install --quiet --disable-pip-version-check pip-audit \
      2> >(grep -v "is neither a file nor a directory" >&2); then
    offline "pip-audit could not be installed"
  fi
  pip_audit=$work/bin/pip-audit
fi

report="$work/report.json"
"$pip_audit" -r requirements.lock -r requirements-dev.lock --no-deps --disable-pip --progress-spinner off \
  --vulnerability-service "${AUDIT_SERVICE:-pypi}" --format json --output "$report" 2>/dev/null || true
if [ ! -s "$report" ]; then
  offline "pip-audit wrote no report"
fi

status=0
python3 - "$report" "$format" <<'EOF' || status=$?
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
echo "Audit: LIVE (pip-audit, ${AUDIT_SERVICE:-pypi}); exit $status." >&2
exit "$status"
