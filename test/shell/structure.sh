#!/usr/bin/env bash
# The code stays in pieces a reader can hold: no C function in src/*.c over
# MAX_FUNC lines (from the line of its name to its closing brace) and no
# src/*.c file over MAX_FILE lines.  Split a long function by phase into
# named static functions and a long file by concern (density*.c, policy_*.c,
# season*.c show how).  A brace-depth scanner finds the functions; it checks
# itself first on files that break the limits by one line.
set -u
. "$MQ_ROOT/test/lib/tap.sh"
MAX_FUNC=150
MAX_FILE=1100
# Allowed exceptions, "file:function reason", one a line; keep it short.  A
# table of data written as a top-level initialiser is not a function and
# needs no entry here.  An entry no longer needed fails the test.
EXCEPTIONS=''

# scan FILE...: "function FILE NAME FIRST LAST" per function definition and
# "file FILE LINES" per file.  Comments, string and character literals and
# preprocessor lines are blanked first, so braces in them do not count.
scan() {
	python3 - "$@" <<'PY'
import re, sys

def blank(text):
    out = []; i = 0; n = len(text)
    keep = lambda s: re.sub(r'[^\n]', ' ', s)
    while i < n:
        if text.startswith('/*', i):
            j = text.find('*/', i + 2); j = n if j < 0 else j + 2
        elif text.startswith('//', i):
            j = text.find('\n', i); j = n if j < 0 else j
        elif text[i] in '"\'':
            q = text[i]; j = i + 1
            while j < n and text[j] != q and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
        else:
            out.append(text[i]); i += 1; continue
        out.append(keep(text[i:j])); i = j
    return ''.join(out)

def signature(head, first):
    """name and line of a definition whose head ends in a parameter list:
    the last name before a "(" at parenthesis depth 0; None for
    initialisers, structs and enums"""
    if '=' in head or not head.rstrip().endswith(')'):
        return None, None
    depth = 0; last = None
    for m in re.finditer(r'[A-Za-z_]\w*\s*\(|[()]', head):
        if m.group(0) == ')':
            depth -= 1
            continue
        if depth == 0 and m.group(0) != '(':
            last = m
        depth += 1
    if last is None:
        return None, None
    return re.match(r'\w+', last.group(0)).group(0), first + head[:last.start()].count('\n')

for path in sys.argv[1:]:
    lines = blank(open(path, encoding='utf-8').read()).split('\n')
    depth = 0; head = ''; first = 0; name = None; start = 0; cont = False
    for ln, line in enumerate(lines, 1):
        if cont or line.lstrip().startswith('#'):
            cont = line.rstrip().endswith('\\')
            continue
        for c in line:
            if depth == 0:
                if c == '{':
                    name, start = signature(head, first)
                    depth = 1; head = ''
                elif c in ';}':
                    head = ''
                else:
                    if not head.strip() and not c.isspace():
                        head = ''; first = ln
                    head += c
            elif c == '{':
                depth += 1
            elif c == '}':
                depth -= 1
                if depth == 0 and name:
                    print('function', path, name, start, ln)
                    name = None
        if depth == 0:
            head += '\n'
    n = len(lines) - (1 if lines and lines[-1] == '' else 0)
    print('file', path, n)
PY
}

# over FILE...: the functions and files over the limits, "FILE:NAME N lines"
over() {
	scan "$@" | awk -v mf="$MAX_FUNC" -v mF="$MAX_FILE" '
		$1 == "function" && $5 - $4 + 1 > mf { sub(".*/", "", $2); print $2 ":" $3, $5 - $4 + 1, "lines" }
		$1 == "file" && $3 > mF { sub(".*/", "", $2); print $2, $3, "lines" }'
}

# 1. the scanner itself, on functions of MAX_FUNC and MAX_FUNC + 1 lines
# (braces in comments, strings and macros must not count) and on a file of
# MAX_FILE + 1 lines
T=$MQ_WORK/structure; rm -rf "$T"; mkdir -p "$T"
mkfunc() {  # NAME LINES: a function of LINES lines from its name to its closing brace
	printf 'static int\n%s(int a, const char *s)\n{\n' "$1"
	for ((i = 3; i < $2; i++)); do
		case $((i % 4)) in
			0) echo '	a += s[0] == '"'{'"';	/* { */' ;;
			1) echo '	if (a) { a--; }' ;;
			2) echo '	s = "}}{";' ;;
			3) echo '#define X(a) { a }' ;;
		esac
	done
	printf '}\n'
}
{ echo '#include "postgres.h"'; echo 'static const int table[] = {'; echo '1, 2, 3'; echo '};'
  mkfunc just_right "$MAX_FUNC"; echo; mkfunc too_long $((MAX_FUNC + 1)); } >"$T/long.c"
for ((i = 0; i <= MAX_FILE; i++)); do echo "/* line $i */"; done >"$T/big.c"
got=$(over "$T/long.c" "$T/big.c")
check "the scanner finds a function of $((MAX_FUNC + 1)) lines and a file of $((MAX_FILE + 1)) lines, and only those" \
	"$got" "long.c:too_long $((MAX_FUNC + 1)) lines
big.c $((MAX_FILE + 1)) lines"
got=$(scan "$T/long.c" | awk '$1 == "function" { print $3, $5 - $4 + 1 }' | tr '\n' ' ')
check "the scanner sees exactly the two functions with their lengths" "$got" "just_right $MAX_FUNC too_long $((MAX_FUNC + 1)) "
rm -rf "$T"

# 2. src/*.c: the scanner finds the definitions pgindent starts at column 0
defs=$(grep -hoE '^[A-Za-z_][A-Za-z0-9_]*\(' "$MQ_ROOT"/src/*.c | grep -vE '^(PG_FUNCTION_INFO_V1|StaticAssertDecl|__attribute__)\(' | wc -l)
found=$(scan "$MQ_ROOT"/src/*.c | grep -c '^function ')
check "the scanner finds every function definition of src/*.c ($defs)" "$found" "$defs"

# 3. the limits, less the allowed exceptions
allowed=$(printf '%s\n' "$EXCEPTIONS" | awk 'NF { print $1 }')
offenders=$(over "$MQ_ROOT"/src/*.c)
bad=$(printf '%s\n' "$offenders" | awk 'NF' | while read -r what rest; do
	printf '%s\n' "$allowed" | grep -qxF "$what" || echo "$what $rest"
done)
if [ -z "$bad" ]; then
	ok 0 "no function in src/*.c over $MAX_FUNC lines, no file over $MAX_FILE lines"
else
	not_ok "no function in src/*.c over $MAX_FUNC lines, no file over $MAX_FILE lines" \
		"$bad
Split it by phase into named static functions (or by concern into files)."
fi
stale=$(printf '%s\n' "$allowed" | awk 'NF' | while read -r what; do
	printf '%s\n' "$offenders" | grep -q "^$what " || echo "$what"
done)
check "every allowed exception is still over the limit (drop it from EXCEPTIONS when not)" "$stale" ""
tap_done
