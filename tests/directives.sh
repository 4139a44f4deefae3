#!/bin/sh
# directives.sh - every sentinel.conf directive is documented (TAP).
#
# The directive names are taken from the tables of src/sentinel/sconf.c
# (sc_gdefs: server directives such as "port"; sc_sdefs: the words after
# "sentinel", such as "monitor"), so a directive added to the code without
# documentation makes "make check" fail. For each name, two tests:
#
#   man/sentinel.conf.5  names it where a directive is described: a server
#                        directive starts a .B/.BI/.BR line; a sentinel one
#                        appears as "sentinel NAME" (after \- is read as -
#                        and font escapes are removed);
#   etc/sentinel.conf    has a line for it, in use or commented out:
#                        "NAME ..." / "# NAME ...", or "sentinel NAME ..." /
#                        "# sentinel NAME ...".
#
# Then etc/sentinel.conf and the demo's etc/sentinel-demo-*.conf must load:
# a copy of each (the sentinel wants a writable file) is given to
# "sentinel FILE --test-config", when the binary is built.
#
# TEST_SRCDIR is the absolute path of tests/ in the source tree, TEST_BUILDDIR
# that of the build tree (both set by Makefile.am); without them the
# directory of this script is used. SENTINEL_BIN overrides the binary.

case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
srcdir=${TEST_SRCDIR:-$here}
builddir=${TEST_BUILDDIR:-$srcdir}
top=$srcdir/..
sconf=$top/src/sentinel/sconf.c
man=$top/man/sentinel.conf.5
sample=$top/etc/sentinel.conf
bin=${SENTINEL_BIN:-$builddir/../src/sentinel/sentinel}

# The names in table $1 of sconf.c: the rows '{ "name", ...' between
# "<table>[] = {" and the closing "};".
table_names() {
	sed -n "/ $1\\[\\] = {/,/^};/p" "$sconf" |
	    sed -n 's/^[[:space:]]*{[[:space:]]*"\([^"]*\)".*/\1/p'
}

gnames=$(table_names sc_gdefs)
snames=$(table_names sc_sdefs)
ng=$(printf '%s\n' $gnames | grep -c .)
ns=$(printf '%s\n' $snames | grep -c .)
demos=$(ls "$top"/etc/sentinel-demo-*.conf 2>/dev/null)
nd=$(printf '%s\n' $demos | grep -c .)

# The man page as plain words: \- is -, font escapes and quotes go.
mantext=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/"//g' "$man" 2>/dev/null)

total=$((2 + 2 * (ng + ns) + 1 + nd))
echo "1..$total"
n=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '# %s\n' "$3"
	fi
}

# A table that reads as empty means the extraction no longer matches the code.
[ "$ng" -gt 0 ]
ok $? "server directives found in sconf.c (sc_gdefs: $ng)" \
    "no rows in sc_gdefs of $sconf: update table_names in $0"
[ "$ns" -gt 0 ]
ok $? "sentinel directives found in sconf.c (sc_sdefs: $ns)" \
    "no rows in sc_sdefs of $sconf: update table_names in $0"

for d in $gnames; do
	printf '%s\n' "$mantext" | grep -Eiq "^\\.(B|BI|BR|IR)[[:space:]]+$d([[:space:]]|$)"
	ok $? "sentinel.conf.5 documents '$d'" "add '.BI $d ...' to $man"
	grep -Eiq "^#?[[:space:]]*$d([[:space:]]|$)" "$sample"
	ok $? "etc/sentinel.conf shows '$d'" "add a '$d ...' line (or '# $d ...') to $sample"
done
for d in $snames; do
	printf '%s\n' "$mantext" | grep -Eiq "(^|[^a-z-])sentinel[[:space:]]+$d([^a-z-]|$)"
	ok $? "sentinel.conf.5 documents 'sentinel $d'" "add '.BI \"sentinel $d ...\"' to $man"
	grep -Eiq "^#?[[:space:]]*sentinel[[:space:]]+$d([[:space:]]|$)" "$sample"
	ok $? "etc/sentinel.conf shows 'sentinel $d'" \
	    "add a 'sentinel $d ...' line (or '# sentinel $d ...') to $sample"
done

# The shipped files load.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/directives.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for f in "$sample" $demos; do
	name=${f##*/}
	if [ ! -x "$bin" ]; then
		n=$((n + 1))
		echo "ok $n - $name loads # SKIP $bin not built"
		continue
	fi
	cp "$f" "$tmp/$name" && chmod u+w "$tmp/$name"
	out=$("$bin" "$tmp/$name" --test-config 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && [ "$out" = "configuration OK" ]
	ok $? "$name loads (sentinel --test-config)" "$(printf '%s' "$out" | tr '\n' ' ')"
done
exit 0
