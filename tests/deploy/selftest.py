"""The deploy checks' self-tests share one verdict: every break a case makes
in memory is found (each wanted pattern matches a problem the check
reported), and a case that wants nothing (the files as they are) reports
nothing. A check whose self-test passes can fail, which is the point."""

import re
import sys


def judge(title, cases):
    """cases: (name, problems the check reported, wanted regex patterns).
    Prints the verdict; returns the exit code."""
    failed = 0
    for name, got, want in cases:
        missing = [w for w in want if not any(re.search(w, p) for p in got)]
        unexpected = got if not want else []
        if missing or unexpected:
            failed += 1
            print(f"{title} self-test '{name}': missing {missing}, unexpected {unexpected}, got {got}",
                  file=sys.stderr)
    if failed:
        print(f"{title} self-test: {failed} of {len(cases)} cases failed", file=sys.stderr)
        return 1
    print(f"{title} self-test: {len(cases)} cases: each break is found, the files as they are pass")
    return 0
