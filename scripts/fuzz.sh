#!/usr/bin/env bash
# Runs the libFuzzer targets of build/fuzz (make fuzz / make test).
#   scripts/fuzz.sh run SECONDS [TARGET...]   fuzz each target SECONDS seconds from
#                                             its seed corpus; new crash inputs go to
#                                             build/fuzz/crashes/TARGET/; prints a table
#   scripts/fuzz.sh replay [TARGET...]        runs every file of tests/fuzz/regressions/TARGET/
# Exits non-zero when a target crashes (the input is kept for tests/fuzz/regressions/).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$repo/build/fuzz"
all_targets=(fuzz_safetensors fuzz_config fuzz_tokenizer_json fuzz_tokenizer_config fuzz_sentencepiece fuzz_repo)
mode=${1:?usage: fuzz.sh run SECONDS [TARGET...] | replay [TARGET...]}
shift
if [[ $mode == run ]]; then seconds=${1:?seconds}; shift; fi
targets=("$@")
(( ${#targets[@]} )) || targets=("${all_targets[@]}")

# leaks are findings too; a fuzzed config must not make the loader ask for
# gigabytes (-malloc_limit_mb); UBSan findings abort.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=25)

dict_for() {  # target -> the dictionary files it uses
  local d="$repo/tests/fuzz/dict"
  case $1 in
    fuzz_safetensors) echo "$d/json.dict $d/safetensors.dict" ;;
    fuzz_config) echo "$d/json.dict $d/config.dict" ;;
    fuzz_tokenizer_json|fuzz_tokenizer_config) echo "$d/json.dict $d/tokenizer.dict" ;;
    fuzz_sentencepiece) echo "$d/sentencepiece.dict" ;;
    fuzz_repo) echo "$d/json.dict $d/config.dict $d/safetensors.dict $d/tokenizer.dict" ;;
  esac
}

status=0
if [[ $mode == replay ]]; then
  for t in "${targets[@]}"; do
    dir="$repo/tests/fuzz/regressions/$t"
    compgen -G "$dir/*" >/dev/null || continue
    n=$(find "$dir" -type f | wc -l)
    if "$build/$t" "${common[@]}" "$dir"/* >"$build/$t.replay.log" 2>&1; then
      echo "fuzz replay: $t: $n regression inputs pass"
    else
      echo "fuzz replay: $t: FAILED (log: $build/$t.replay.log)"; tail -30 "$build/$t.replay.log"; status=1
    fi
  done
  exit $status
fi

printf '%-24s %10s %8s %10s %8s  %s\n' target executions "cov" features corpus result
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  dict="$build/$t.dict"
  cat $(dict_for "$t") >"$dict"
  extra=()
  [[ -d $repo/tests/fuzz/corpus/$t ]] && extra+=("$repo/tests/fuzz/corpus/$t")
  log="$build/$t.log"
  "$build/$t" "${common[@]}" ${FUZZ_SEED:+-seed=$FUZZ_SEED} -max_total_time="$seconds" -print_final_stats=1 -dict="$dict" \
      -artifact_prefix="$crashes/" "$corpus" "${extra[@]}" >"$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/{print $NF}' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  if (( rc == 0 )); then result=ok; else result="CRASH (log: $log; input in $crashes/)"; status=1; fi
  printf '%-24s %10s %8s %10s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
exit $status
