#!/usr/bin/env bash
# Spark's overhead and scaling on this machine: the same folder classified by the CLI (`vitornado classify`) and by
# `vitornado-spark classify` in local[1] and local[2], each run ROUNDS times, interleaved (a noisy machine drifts).
#
#   tools/spark_scaling.sh MODEL IMAGES_DIR [ROUNDS] [BATCH]
#
# Prints, per run: wall seconds, images/s end to end, and images/s while the images run, the same way for both: the
# images less one over the wall time less that of the same command on one image (JVM and Spark start, listing,
# model load, first compilations). The last lines give the medians and Spark's ratio to the CLI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1
images=$2
rounds=${3:-2}
batch=${4:-8}
work=$(mktemp -d /tmp/vitornado-spark-scaling.XXXXXX)
n=$(find "$images" -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.bmp' -o -iname '*.gif' \) | wc -l)
one=$(find "$images" -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) | sort | sed -n 1p)
echo "model $model, $n images under $images, batch $batch, $rounds rounds, $(nproc) cores"

seconds() { local s e; s=$(date +%s.%N); "$@" > "$work/last.log" 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
declare -A results
for r in $(seq 1 "$rounds"); do
    t1=$(seconds "$root/bin/vitornado" classify --model "$model" --image "$one" --batch "$batch" --json)
    tn=$(seconds "$root/bin/vitornado" classify --model "$model" --image "$images" --batch "$batch" --json)
    steady=$(echo "($n - 1) / ($tn - $t1)" | bc -l)
    printf "round %d  cli       wall %7.1f s  %8.1f images/s end to end  %8.1f images/s running (one image: %.1f s)\n" "$r" "$tn" "$(echo "$n / $tn" | bc -l)" "$steady" "$t1"
    results[cli]+="$steady "
    results[cli_e2e]+="$(echo "$n / $tn" | bc -l) "
    for m in 1 2; do
        out="$work/out-$r-$m"
        spark=("$root/bin/vitornado-spark" classify --model "$model" --batch "$batch" --master "local[$m]")
        t1=$(seconds "${spark[@]}" --images "$one" --out "$out-one")
        t=$(seconds "${spark[@]}" --images "$images" --out "$out")
        grep -q '^ran ' "$work/last.log" || { echo "spark local[$m] failed:"; tail -n 5 "$work/last.log"; exit 1; }
        steady=$(echo "($n - 1) / ($t - $t1)" | bc -l)
        printf "round %d  local[%d]  wall %7.1f s  %8.1f images/s end to end  %8.1f images/s running (one image: %.1f s; %s)\n" "$r" "$m" "$t" \
            "$(echo "$n / $t" | bc -l)" "$steady" "$t1" "$(sed -n 's/^wave.* in \([0-9]* tasks\).*/\1/p' "$work/last.log" | head -n 1)"
        results[spark$m]+="$steady "
        results[spark${m}_e2e]+="$(echo "$n / $t" | bc -l) "
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cli=$(echo "${results[cli]}" | median)
cli_e2e=$(echo "${results[cli_e2e]}" | median)
for m in 1 2; do
    s=$(echo "${results[spark$m]}" | median)
    e=$(echo "${results[spark${m}_e2e]}" | median)
    printf "median: local[%d] %.1f images/s running (%.2fx the CLI's %.1f), %.1f end to end (%.2fx the CLI's %.1f)\n" "$m" "$s" "$(echo "$s / $cli" | bc -l)" "$cli" \
        "$e" "$(echo "$e / $cli_e2e" | bc -l)" "$cli_e2e"
done
rm -rf "$work"
