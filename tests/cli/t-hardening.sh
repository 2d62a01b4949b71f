#!/bin/bash
# The binary under test carries the hardening cmake/flags.cmake asks for:
# a position-independent executable, full RELRO (GNU_RELRO and every
# symbol bound at start-up), a non-executable stack, the stack protector,
# and, where SW_FORTIFY=1 (optimised builds without sanitizers), glibc's
# fortified __*_chk functions.  Read with readelf; fails if a flag is lost.
. "$(dirname "$0")/lib.sh"
: "${SW_FORTIFY:?SW_FORTIFY must be 1 or 0 (set by tests/CMakeLists.txt)}"
command -v readelf > /dev/null || fail "readelf missing (apt-get install binutils)"
export LC_ALL=C
hdr=$(readelf -hW "$SOCKWARDEN") || fail "readelf -h $SOCKWARDEN"
seg=$(readelf -lW "$SOCKWARDEN")
dyn=$(readelf -dW "$SOCKWARDEN")
syms=$(readelf --dyn-syms -W "$SOCKWARDEN")

check "not a PIE (ELF type): $(grep 'Type:' <<<"$hdr")" grep -Eq '^ *Type: +DYN ' <<<"$hdr"
check "no PIE flag in FLAGS_1: $(grep FLAGS <<<"$dyn")" grep -Eq '\(FLAGS_1\) +Flags:.* PIE' <<<"$dyn"
check "no GNU_RELRO segment" grep -Eq '^ *GNU_RELRO ' <<<"$seg"
# -z now shows as DT_BIND_NOW, DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW
check "lazy binding (no BIND_NOW): $(grep -E 'FLAGS|BIND' <<<"$dyn")" \
    grep -Eq '\(BIND_NOW\)|\(FLAGS\) .*BIND_NOW|\(FLAGS_1\) +Flags:.* NOW' <<<"$dyn"
check "executable stack: $(grep GNU_STACK <<<"$seg")" \
    grep -Eq '^ *GNU_STACK .* RW +0x' <<<"$seg"
check "no stack protector (__stack_chk_fail)" grep -q ' __stack_chk_fail' <<<"$syms"
chk=$(grep -oE ' __[a-z0-9_]+_chk(@|$)' <<<"$syms" | grep -v __stack_chk | tr -d ' @' | sort -u | tr '\n' ' ')
if [ "$SW_FORTIFY" = 1 ]; then
	check "built without _FORTIFY_SOURCE: no __*_chk function referenced" [ -n "$chk" ]
else
	echo "fortify not expected in this configuration (found: ${chk:-none})"
fi
