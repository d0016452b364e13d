#!/usr/bin/env bash
# Splits a file into parts of at most a given size with a sha256 manifest, and joins them back, verifying every part
# and the whole (bash and coreutils; xz only with --xz). For carrying a file that exceeds what one transfer may hold,
# e.g. the 94 MB (93.8 MiB) SmolLM2-135M-Instruct GGUF to a GPU host in two transfers:
#
#   scripts/split-file.sh split models/SmolLM2-135M-Instruct.Q4_1.gguf .carry/gguf 47M
#     -> .carry/gguf/SmolLM2-135M-Instruct.Q4_1.gguf.part-000, .part-001 (47 MiB at most each) and
#        .carry/gguf/SmolLM2-135M-Instruct.Q4_1.gguf.sha256 (the whole file's sha256sum line, then one per part)
#   scripts/split-file.sh join .carry/gguf/SmolLM2-135M-Instruct.Q4_1.gguf.sha256 models/SmolLM2-135M-Instruct.Q4_1.gguf
#     [PART_DIR...]
#     -> looks for each part beside the manifest, then in the PART_DIRs (parts that came in different folders), checks
#        each part's sha256, concatenates them in order into a temporary file, checks the whole sha256, then renames it
#        to the target. An existing target with the right sha256 is kept as it is.
#
# With --xz the file is xz-compressed before it is split (parts NAME.xz.part-NNN; the manifest's second line is the
# sha256 of NAME.xz) and join decompresses it: the GGUF's quantized weights shrink only to 86.3 MiB (about 40 s on 2
# cores), which can still decide whether it fits.
#
# Usage: scripts/split-file.sh split [--xz] FILE OUT_DIR MAX_SIZE   (MAX_SIZE as split -b: 47M = 47 MiB, 47MB = 47e6)
#        scripts/split-file.sh join MANIFEST OUT_FILE [PART_DIR...]
# Exit status 1 when a part is missing or a sha256 does not match.
set -euo pipefail

usage() {
  sed -n '/^# Usage:/,/^# Exit/p' "$0" | sed 's/^# *//' >&2
  exit 2
}

sha() {
  sha256sum "$1" | cut -d' ' -f1
}

split_file() {
  local xz=
  if [[ ${1:-} == --xz ]]; then
    xz=1
    shift
  fi
  [[ $# -eq 3 ]] || usage
  local file=$1 dir=$2 max=$3
  [[ -f $file ]] || { echo "no file $file" >&2; exit 1; }
  local name
  name=$(basename "$file")
  mkdir -p "$dir"
  rm -f "$dir/$name".part-* "$dir/$name".xz.part-* "$dir/$name.sha256"
  local manifest=$dir/$name.sha256.tmp
  echo "$(sha "$file")  $name" >"$manifest"
  local stem=$name
  if [[ -n $xz ]]; then
    stem=$name.xz
    local packed=$dir/$stem.tmp
    xz -T0 -6 -c "$file" >"$packed"
    echo "$(sha "$packed")  $stem" >>"$manifest"
    split -b "$max" -d -a 3 "$packed" "$dir/$stem.part-"
    rm -f "$packed"
  else
    split -b "$max" -d -a 3 "$file" "$dir/$stem.part-"
  fi
  local part
  for part in "$dir/$stem".part-*; do
    echo "$(sha "$part")  $(basename "$part")" >>"$manifest"
  done
  mv "$manifest" "$dir/$name.sha256"
  echo "$file ($(stat -L -c %s "$file") bytes) -> $(grep -c '\.part-[0-9]*$' "$dir/$name.sha256") parts:"
  for part in "$dir/$stem".part-*; do
    echo "  $part $(stat -c %s "$part") bytes"
  done
  echo "  $dir/$name.sha256"
}

join_file() {
  local manifest=$1 out=$2
  shift 2
  [[ -f $manifest ]] || { echo "no manifest $manifest" >&2; exit 1; }
  local dirs=("$(dirname "$manifest")" "$@")
  local want name
  read -r want name <"$manifest"
  if [[ -f $out && $(sha "$out") == "$want" ]]; then
    echo "$out already has sha256 $want"
    return 0
  fi
  mkdir -p "$(dirname "$out")"
  local tmp packed=
  tmp=$(mktemp "$out.join-XXXXXX")
  trap 'rm -f "$tmp" ${packed:+"$packed"}' EXIT
  local hash part found d n=0 packed_hash=
  while read -r hash part; do
    if [[ $part == "$name.xz" ]]; then
      packed_hash=$hash
      continue
    fi
    found=
    for d in "${dirs[@]}"; do
      if [[ -f $d/$part ]]; then
        found=$d/$part
        break
      fi
    done
    [[ -n $found ]] || { echo "part $part of $name is in none of: ${dirs[*]}" >&2; exit 1; }
    [[ $(sha "$found") == "$hash" ]] || { echo "part $found: sha256 is not $hash" >&2; exit 1; }
    cat "$found" >>"$tmp"
    n=$((n + 1))
  done < <(tail -n +2 "$manifest")
  [[ $n -gt 0 ]] || { echo "$manifest lists no parts" >&2; exit 1; }
  if [[ -n $packed_hash ]]; then
    [[ $(sha "$tmp") == "$packed_hash" ]] || { echo "joined $name.xz: sha256 is not $packed_hash" >&2; exit 1; }
    packed=$tmp
    tmp=$(mktemp "$out.join-XXXXXX")
    xz -dc "$packed" >"$tmp"
    rm -f "$packed"
    packed=
  fi
  local have
  have=$(sha "$tmp")
  [[ $have == "$want" ]] || { echo "joined $name has sha256 $have, expected $want" >&2; exit 1; }
  chmod a+r "$tmp"
  mv "$tmp" "$out"
  trap - EXIT
  echo "$out: $n parts joined${packed_hash:+ and decompressed}, $(stat -c %s "$out") bytes, sha256 $want (verified)"
}

case ${1:-} in
  split) split_file "${@:2}" ;;
  join) [[ $# -ge 3 ]] || usage; join_file "${@:2}" ;;
  *) usage ;;
esac
