#!/usr/bin/env bash
# The public card 明白卡 as a page: public_card_html of the hand-made city of
# test/pgtap/public_card_fixture.psql written to files, rendered by headless
# Chromium (demo/screenshot.sh) and checked: self-contained, bilingual, no
# planted caller id or complaint word, the map coloured by band with the
# grey "too few to show", the below-threshold card saying so.
# Run by test/run.sh with MQ_ROOT, MQ_BIN, MQ_WORK and PGHOST/PGPORT set.
set -uo pipefail
out=$MQ_WORK/results/public_card
rm -rf "$out"; mkdir -p "$out"
. "$MQ_ROOT/test/lib/tap.sh"
DB=minqing_public_card
psql() { "$MQ_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
psql -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null
psql -d "$DB" -f "$MQ_ROOT/test/pgtap/public_card_fixture.psql" >/dev/null
ok $? "the fixture city loads"

card() {  # unit file
	psql -d "$DB" -At -c "SELECT minqing.public_card_html('pc.work_order', '$1', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit')" >"$2"
}
card 990101001000 "$out/street.html"
ok $? "public_card_html writes the card of street 990101001000"
card 990101001002 "$out/small.html"
ok $? "public_card_html writes the card of the 3-order community 990101001002"

html=$out/street.html
[ -s "$html" ] && head -c 15 "$html" | grep -q '<!DOCTYPE html>' && tail -c 10 "$html" | grep -q '</html>'
ok $? "a complete HTML page ($(stat -c %s "$html" 2>/dev/null) bytes)"
! grep -qiE '<script|<img|<link|<iframe|src=|href=|url\(|@import|https?:' "$html" "$out/small.html"
ok $? "self-contained: no script, no link, no URL"
grep -q '民情明白卡' "$html" && grep -q 'Public card of' "$html" && grep -q '满意率' "$html" && grep -q 'Satisfaction rate' "$html" \
	&& grep -q '群众最关心的问题' "$html" && grep -q 'Top concerns' "$html"
ok $? "bilingual headings and sentences"
! grep -qE 'PLANTED13800138000|caller-[0-9a-f]|王秘密|Plum Lane|xyzzyplugh|complaint number' "$html" "$out/small.html"
ok $? "no planted caller id and no word of the complaint text in the pages"
[ "$(grep -o '<path ' "$html" | wc -l)" -eq 3 ] && ! grep -qE '<circle|<ellipse|[0-9]\.[0-9]{3,}' "$html"
ok $? "the map draws the street's 3 communities as polygons, no point and no fine coordinate"
grep -q '为保护来电群众的隐私，本卡不公布任何数字' "$out/small.html" && grep -q 'this card shows no numbers' "$out/small.html" \
	&& ! grep -q '≈' "$out/small.html"
ok $? "the 3-order community's card says it shows no numbers, and shows none"

for f in street small; do
	bash "$MQ_ROOT/demo/screenshot.sh" "$out/$f.html" "$out/$f.png" 800 1800 2>"$out/$f.err"
	ok $? "headless Chromium renders the $f card to a PNG"
	sed 's/^/# /' "$out/$f.err"
done
# header #17324d; map: community 1 poor #d73027, community 2 grey #c8c8c8
# (too few), community 3 average #fee08b; the score box fairly poor #fc8d59
stat=$(/usr/bin/python3 "$MQ_ROOT/demo/pngstat.py" "$out/street.png" '#17324d' '#d73027' '#c8c8c8' '#fee08b' '#fc8d59' 2>&1)
echo "# street png: $stat (width height colours header poor grey average fairly-poor)"
set -- $stat
[ "${3:-0}" -ge 100 ] && [ "${4:-0}" -ge 20000 ] && [ "${5:-0}" -ge 2000 ] && [ "${6:-0}" -ge 2000 ] && [ "${7:-0}" -ge 2000 ] && [ "${8:-0}" -ge 1000 ]
ok $? "the street card's PNG is drawn: header, the map's poor, grey and average areas, the score in its band colour"
stat=$(/usr/bin/python3 "$MQ_ROOT/demo/pngstat.py" "$out/small.png" '#17324d' '#fff4d6' '#c8c8c8' 2>&1)
echo "# small png: $stat (width height colours header notice grey)"
set -- $stat
[ "${3:-0}" -ge 50 ] && [ "${4:-0}" -ge 20000 ] && [ "${5:-0}" -ge 5000 ]
ok $? "the small card's PNG shows the header and the notice"
psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
tap_done
