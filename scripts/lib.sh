# Shared helpers for scripts/*. Source it; do not run it.
AUTHLENS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNPM_VERSION=10.34.8
# The repository's Node runtime (root devDependency `node`, Node 24), installed by
# ensure_node_modules. The real binary, not node_modules/.bin/node (a shell shim that does not
# `exec`, so a signal sent to it never reaches Node).
AUTHLENS_NODE="$AUTHLENS_ROOT/node_modules/node/bin/node"
log() { printf '%s: %s\n' "${AUTHLENS_LOG_TAG:-authlens}" "$*" >&2; }
die() { log "$*"; exit 1; }
# pnpm from the npm registry (no corepack): a global pnpm of the pinned version, else the pinned
# version installed once with npm into the cache (not npx: npm 11 locks npx's cache while an npx
# command runs, so an `npx pnpm` inside a script that `npx pnpm` runs, or beside another
# session's, waits about a minute for the lock).
pnpm_js() {
  local dir="${AUTHLENS_CACHE_DIR:-$HOME/.cache/authlens}/pnpm-$PNPM_VERSION" tmp
  if [ ! -f "$dir/node_modules/pnpm/bin/pnpm.cjs" ]; then
    tmp="$dir.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    npm install --prefix "$tmp" --no-save --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2 ||
      { rm -rf "$tmp"; die "could not install pnpm $PNPM_VERSION with npm"; }
    # Another process may have finished first: keep its copy.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  fi
  echo "$dir/node_modules/pnpm/bin/pnpm.cjs"
}
pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(command pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    command pnpm "$@"
  else
    pnpm_from_cache node "$@"
  fi
}
# Runs the cached pnpm with NODE (a path or `node`), its bin directory first on PATH: scripts
# that call `pnpm` themselves (the root `check` script) find the same pnpm.
pnpm_from_cache() {
  local node=$1 js
  shift
  js=$(pnpm_js)
  PATH="${js%/pnpm/bin/pnpm.cjs}/.bin:$PATH" "$node" "$js" "$@"
}
# Install Debian packages that are missing (root only). Usage: apt_ensure pkg...
apt_ensure() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
# Debian packages the tests need beyond the services: headless Chromium (and a font) for the
# status page's browser test.
ensure_test_packages() { apt_ensure chromium fonts-dejavu-core; }
# What an install depends on: the lockfile, the workspace settings and the package.json of each
# workspace package (the globs of pnpm-workspace.yaml), never one inside node_modules.
install_inputs() {
  local f
  for f in "$AUTHLENS_ROOT"/{pnpm-lock.yaml,pnpm-workspace.yaml,package.json} \
    "$AUTHLENS_ROOT"/{packages,examples}/*/package.json "$AUTHLENS_ROOT"/{dashboards,collector}/package.json; do
    if [ -f "$f" ]; then echo "$f"; fi
  done
}
# Node dependencies, installed once per lockfile change.
ensure_node_modules() {
  local stamp="$AUTHLENS_ROOT/node_modules/.authlens-install-stamp" want
  want=$(install_inputs | while IFS= read -r f; do cat "$f"; done | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "installing Node dependencies (pnpm $PNPM_VERSION)"
  (cd "$AUTHLENS_ROOT" && pnpm install --frozen-lockfile >&2)
  echo "$want" >"$stamp"
}
