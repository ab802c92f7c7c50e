#!/usr/bin/env bash
# Formats our C++ with clang-format 14 (pinned, so formatting does not churn
# between machines). --check reports unformatted files and fails instead.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
version=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [[ "$version" != 14 ]]; then
    echo "format.sh: needs clang-format 14, found '${version:-none}'" >&2
    exit 1
fi
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp')
((${#files[@]})) || exit 0
if [[ "${1:-}" == "--check" ]]; then
    clang-format --dry-run --Werror "${files[@]}"
    echo "format: ${#files[@]} files clean"
else
    clang-format -i "${files[@]}"
fi
