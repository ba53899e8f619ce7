#!/usr/bin/env bash
# Builds another commit of shoutu beside this checkout, for benchmarks that run two versions in turn
# (`node DIR/bin/shoutu.mjs …` for each). The commit gets its own node_modules: links to this checkout's
# packages, except @shoutu/*, which point into the worktree. (A plain link to this checkout's node_modules
# would make the bundle take @shoutu/shared from this checkout, and bin/shoutu.mjs fall back to tsx as soon
# as a source here changes.) Prints the worktree's path.
#
# Usage: scripts/bench/worktree.sh COMMIT [DIR]     (DIR defaults to /tmp/shoutu-<commit>)
# Remove with: git worktree remove --force DIR
set -euo pipefail
commit=$(git rev-parse --short "${1:?usage: worktree.sh COMMIT [DIR]}")
root=$(git rev-parse --show-toplevel)
dir=${2:-/tmp/shoutu-$commit}
git -C "$root" worktree add --detach "$dir" "$commit" >/dev/null
mkdir "$dir/node_modules" "$dir/node_modules/@shoutu"
for entry in "$root"/node_modules/* "$root"/node_modules/.bin; do
  name=$(basename "$entry")
  [ "$name" = "@shoutu" ] || ln -s "$entry" "$dir/node_modules/$name"
done
for pkg in "$root"/node_modules/@shoutu/*; do
  name=$(basename "$pkg")
  ln -s "$dir/$(readlink "$pkg" | sed 's#^\(\.\./\)*##')" "$dir/node_modules/@shoutu/$name"
done
(cd "$dir" && node scripts/build.mjs >/dev/null && node shared/native/build.mjs >/dev/null)
node -e "import('$dir/bin/bundle.mjs').then((m) => { if (!m.bundleIsCurrent(new URL('file://$dir/'))) { console.error('bundle of $dir is not current'); process.exit(1); } })"
echo "$dir"
