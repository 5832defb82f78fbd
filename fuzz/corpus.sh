#!/bin/sh
# Runs every seed under fuzz/corpus/NAME/ through fuzz/fuzz_NAME once. In an
# ordinary build the targets are linked with fuzz/driver.c; in a libFuzzer
# build "-runs=0" makes libFuzzer run the corpus and stop. A crash (or a
# sanitizer report, which aborts) fails the test.
srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
fail=0
for name in decode pkt filter theme conf json capfile nfcapd; do
	prog=$builddir/fuzz/fuzz_$name
	dir=$srcdir/fuzz/corpus/$name
	if [ ! -x "$prog" ]; then
		echo "FAIL $name: $prog not built"; fail=1; continue
	fi
	if [ ! -d "$dir" ]; then
		echo "FAIL $name: no corpus $dir"; fail=1; continue
	fi
	if "$prog" -runs=0 "$dir" >"fuzz-corpus-$name.log" 2>&1; then
		echo "ok $name: $(ls "$dir" | wc -l) seeds"
	else
		echo "FAIL $name (exit $?):"; tail -n 40 "fuzz-corpus-$name.log"; fail=1
	fi
	rm -f "fuzz-corpus-$name.log"
done
exit $fail
