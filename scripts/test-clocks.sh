#!/usr/bin/env bash
# npm run test:clocks — runs the time-sensitive test files with the test clock pinned at awkward
# instants (test/helpers/test-clock.ts): early on a Monday, late on a working day, on a Sunday. A
# test that passes only inside the contact hours (R4: 10:00–13:00 and 14:00–20:00 on working days)
# fails here, whatever hour CI runs at. Extra arguments go to jest (e.g. --maxWorkers=1).
#
# Time-sensitive: every file that starts a time-skipping server (directly or through a harness) or
# pins the Node clock. Found by what the files use, so a new such file is checked without a list.
set -uo pipefail
cd "$(dirname "$0")/.."

PINS=(monday-07:00 21:00 sunday-11:00)
if [[ -n "${AMIABLE_TEST_CLOCKS:-}" ]]; then read -r -a PINS <<<"$AMIABLE_TEST_CLOCKS"; fi

mapfile -t FILES < <(
  grep -rlE --include='*.test.ts' \
    'createTimeSkippingEnv|createTimeSkipping\(|setUpApiFile|setUpCaseWorkflowFile|runCaseOn|test/helpers/test-clock|\.\./helpers/test-clock' \
    test | sort
)
if [[ ${#FILES[@]} -eq 0 ]]; then
  echo 'test:clocks: no time-sensitive test file found' >&2
  exit 1
fi

results_dir=$(mktemp -d)
trap 'rm -rf "$results_dir"' EXIT
summaries=()
failed=0
for pin in "${PINS[@]}"; do
  printf '\n== test:clocks: AMIABLE_TEST_CLOCK=%s, %d files\n' "$pin" "${#FILES[@]}"
  started=$SECONDS
  result="$results_dir/${pin//:/}.json"
  AMIABLE_TEST_CLOCK="$pin" npx jest --json --outputFile="$result" "$@" "${FILES[@]}"
  status=$?
  elapsed=$((SECONDS - started))
  counts=$(node -e '
    try {
      const r = require(process.argv[1]);
      const failedFiles = r.testResults.filter((f) => f.status !== "passed").map((f) => require("path").relative(process.cwd(), f.name));
      console.log(`${r.numPassedTests}/${r.numTotalTests} tests passed, ${r.numFailedTestSuites} of ${r.numTotalTestSuites} files failed` + (failedFiles.length ? `: ${failedFiles.join(", ")}` : ""));
    } catch { console.log("no jest result (jest did not finish)"); }
  ' "$result")
  if [[ $status -eq 0 ]]; then verdict=PASS; else verdict=FAIL; failed=1; fi
  summaries+=("$(printf 'test:clocks %-5s %-13s %s in %d s' "$verdict" "$pin" "$counts" "$elapsed")")
done

printf '\n'
printf '%s\n' "${summaries[@]}"
exit $failed
