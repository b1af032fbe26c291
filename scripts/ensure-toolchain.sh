#!/usr/bin/env bash
# Makes sure Node 24 and pnpm (at the version package.json's packageManager pins) are on PATH.
# Source it with bash, from any directory: `. scripts/ensure-toolchain.sh`.
#
# The machine's own node may be older; then an official Node build is taken from the npm registry
# package node-linux-<arch> (the only registry these machines reach), and pnpm from its registry
# package (self-contained, no dependencies). Both are cached in $WALLETGRAPH_TOOLS (default
# ~/.cache/walletgraph) and fetched with `npm pack` (checks the registry's integrity hash), or with
# curl when there is no npm at all. Each is unpacked beside the cache and moved into place only
# once it runs, so an interrupted download never leaves a broken toolchain behind.
# Safe under `set -euo pipefail`; changes nothing in the caller's shell but PATH.

_wg_toolchain_fail() {
  echo "ensure-toolchain: $*" >&2
  return 1
}

# Unpacks registry package $1@$2 into the new directory $3 (the tarball's top folder stripped).
_wg_toolchain_fetch() {
  local name=$1 version=$2 dest=$3 work log
  work=$(mktemp -d "$(dirname "$dest")/.fetch.XXXXXX") || return 1
  log="$work/fetch.log"
  if command -v npm >/dev/null 2>&1 && (cd "$work" && npm pack --silent "$name@$version") >"$log" 2>&1; then
    :
  elif command -v curl >/dev/null 2>&1; then
    local registry="${npm_config_registry:-https://registry.npmjs.org/}"
    curl -fsSL --retry 3 -o "$work/$name-$version.tgz" "${registry%/}/$name/-/$name-$version.tgz" >>"$log" 2>&1
  else
    false
  fi || {
    cat "$log" >&2
    rm -rf "$work"
    _wg_toolchain_fail "could not fetch $name@$version from the npm registry"
    return 1
  }
  if ! { mkdir "$work/pkg" && tar -xzf "$work"/*.tgz -C "$work/pkg" --strip-components=1; }; then
    rm -rf "$work"
    _wg_toolchain_fail "could not unpack $name@$version"
    return 1
  fi
  rm -rf "$dest" && mv "$work/pkg" "$dest"
  local rc=$?
  rm -rf "$work"
  return $rc
}

_wg_ensure_toolchain() {
  local want_major=24 node_version=24.21.0
  local cache="${WALLETGRAPH_TOOLS:-$HOME/.cache/walletgraph}"
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
  mkdir -p "$cache" || return 1

  local have_major
  have_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || have_major=0
  if [ "$have_major" -lt "$want_major" ]; then
    local arch
    case "$(uname -m)" in
      x86_64 | amd64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) _wg_toolchain_fail "no Node build for $(uname -m)" || return 1 ;;
    esac
    local dir="$cache/node-v$node_version"
    [ "$arch" = x64 ] || dir="$dir-$arch"
    if ! "$dir/bin/node" --version >/dev/null 2>&1; then
      echo "ensure-toolchain: installing Node $node_version into $dir" >&2
      local stage="$dir.new"
      _wg_toolchain_fetch "node-linux-$arch" "$node_version" "$stage" || return 1
      "$stage/bin/node" --version >/dev/null 2>&1 || {
        rm -rf "$stage"
        _wg_toolchain_fail "the downloaded node does not run" || return 1
      }
      rm -rf "$dir" && mv "$stage" "$dir" || return 1
    fi
    PATH="$dir/bin:$PATH"
  fi

  local pnpm_version
  pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1].split("+")[0]' "$root/package.json") ||
    _wg_toolchain_fail "cannot read packageManager from $root/package.json" || return 1
  if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
    local prefix="$cache/pnpm-$pnpm_version"
    if [ "$("$prefix/bin/pnpm" --version 2>/dev/null)" != "$pnpm_version" ]; then
      echo "ensure-toolchain: installing pnpm $pnpm_version into $prefix" >&2
      # Same layout as `npm install --global --prefix`: lib/node_modules/pnpm plus bin links.
      local stage="$prefix.new"
      rm -rf "$stage" && mkdir -p "$stage/lib/node_modules" "$stage/bin" || return 1
      _wg_toolchain_fetch pnpm "$pnpm_version" "$stage/lib/node_modules/pnpm" || return 1
      chmod +x "$stage"/lib/node_modules/pnpm/bin/*.cjs
      ln -s ../lib/node_modules/pnpm/bin/pnpm.cjs "$stage/bin/pnpm"
      ln -s ../lib/node_modules/pnpm/bin/pnpx.cjs "$stage/bin/pnpx"
      [ "$("$stage/bin/pnpm" --version 2>/dev/null)" = "$pnpm_version" ] || {
        rm -rf "$stage"
        _wg_toolchain_fail "the downloaded pnpm $pnpm_version does not run" || return 1
      }
      rm -rf "$prefix" && mv "$stage" "$prefix" || return 1
    fi
    PATH="$prefix/bin:$PATH"
  fi
  export PATH
  echo "ensure-toolchain: node $(node --version), pnpm $(pnpm --version)" >&2
}

_wg_toolchain_rc=0
_wg_ensure_toolchain || _wg_toolchain_rc=1
unset -f _wg_ensure_toolchain _wg_toolchain_fetch _wg_toolchain_fail
if [ "$_wg_toolchain_rc" != 0 ]; then
  unset _wg_toolchain_rc
  # shellcheck disable=SC2317 # `exit` only when run instead of sourced
  return 1 2>/dev/null || exit 1
fi
unset _wg_toolchain_rc
