#!/bin/sh
# make fuzz: runs each libFuzzer target for SECONDS over a scratch corpus
# (BUILDDIR/work/NAME, where new inputs go) and the committed seeds
# (SEEDDIR/NAME, only read), then prints executions and findings.
# Usage: run.sh SEEDDIR BUILDDIR SECONDS NAME...
seeds=$1 build=$2 secs=$3
shift 3
found=0
summary=
for name in "$@"; do
	work=$build/work/$name art=$build/artifacts/$name
	mkdir -p "$work" "$art"
	log=$build/fuzz-$name.log
	echo "fuzz_$name: ${secs}s ..."
	"$build/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "$seeds/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	arts=$(ls "$art" 2>/dev/null | tr '\n' ' ')
	if [ $rc -ne 0 ] || [ -n "$arts" ]; then
		found=1
		res="FOUND (exit $rc): $arts-- see $log and $art/"
	else
		res="nothing found"
	fi
	line="fuzz_$name: ${secs}s, ${execs:-?} executions, $(ls "$work" | wc -l) new corpus inputs, $res"
	echo "$line"
	summary="$summary$line
"
done
printf '\n%s' "$summary"
exit $found
