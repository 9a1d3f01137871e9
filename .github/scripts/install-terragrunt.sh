#!/usr/bin/env bash
# Installs the Terragrunt version pinned in .terragrunt-version into a directory on PATH.
# The release's SHA256SUMS is downloaded over TLS from the same GitHub release and the binary must
# match it (sha256sum --check); a mismatch, a missing asset or a missing checksum line stops the job.
# Usage: install-terragrunt.sh [version-file] [install-dir]
set -euo pipefail

version_file="${1:-.terragrunt-version}"
install_dir="${2:-${RUNNER_TEMP:-/tmp}/terragrunt-bin}"
version="$(tr -d '[:space:]' <"$version_file")"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "::error::$version_file must hold a plain version like 1.1.1, got '$version'" >&2
  exit 1
fi

base="https://github.com/gruntwork-io/terragrunt/releases/download/v${version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
curl --fail --silent --show-error --location --retry 3 --proto '=https' --tlsv1.2 -o SHA256SUMS "$base/SHA256SUMS"

# Newer releases ship a .tar.gz archive per platform; older ones a bare binary. Prefer the archive.
asset=""
for candidate in terragrunt_linux_amd64.tar.gz terragrunt_linux_amd64; do
  if grep -qE "[[:space:]]\*?${candidate}\$" SHA256SUMS; then
    asset="$candidate"
    break
  fi
done
if [[ -z "$asset" ]]; then
  echo "::error::no linux_amd64 asset listed in SHA256SUMS of terragrunt v${version}" >&2
  exit 1
fi

curl --fail --silent --show-error --location --retry 3 --proto '=https' --tlsv1.2 -o "$asset" "$base/$asset"
grep -E "[[:space:]]\*?${asset}\$" SHA256SUMS | sha256sum --check --strict -

mkdir -p "$install_dir"
if [[ "$asset" == *.tar.gz ]]; then
  # Terragrunt's .github/scripts/release/create-archives.sh (v1.1.1) runs `tar -czf "$binary.tar.gz" "$binary"`
  # in its bin folder: the archive holds one file named like the archive without .tar.gz (terragrunt_linux_amd64).
  member="${asset%.tar.gz}"
  if ! tar -xzf "$asset" "$member"; then
    echo "::error::archive $asset holds no $member (the layout of Terragrunt's create-archives.sh)" >&2
    exit 1
  fi
  install -m 0755 "$member" "$install_dir/terragrunt"
else
  install -m 0755 "$asset" "$install_dir/terragrunt"
fi

if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$install_dir" >>"$GITHUB_PATH"; fi
"$install_dir/terragrunt" --version
