#!/usr/bin/env bash
# examples/boston/load.sh [DATABASE [SCHEMA [DATA_DIR]]]
# Loads the Boston 311 requests of 2015 (examples/boston/data, shipped with the
# repository; see its README.md and SOURCE.md) into SCHEMA (default boston) of
# DATABASE, mapped onto the canonical work-order columns (SCHEMA.work_order,
# SCHEMA.admin_unit).  DATA_DIR may hold the files gzip'd (as shipped) or not.
# Connects with the PG* environment; minqing must be installed in DATABASE.
# MQ_BOSTON_SAMPLE=N loads only every N-th request (a quick check).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
db=${1:-${PGDATABASE:-postgres}}
schema=${2:-boston}
# default: the data shipped in examples/boston/data
data=${3:-${MQ_BOSTON_DATA:-$here/data}}
sample=${MQ_BOSTON_SAMPLE:-1}
psql=${MQ_BIN:+$MQ_BIN/}psql
[ -f "$data/boston_311_2015.csv.gz" ] || { echo "load.sh: $data/boston_311_2015.csv.gz not found (pass DATA_DIR or set MQ_BOSTON_DATA)" >&2; exit 2; }
q() { "$psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# a data file, gzip'd (FILE.gz) or not
cat_data() {
	if [ -f "$1.gz" ]; then gzip -dc "$1.gz"
	elif [ -f "$1" ]; then cat "$1"
	else echo "load.sh: neither $1 nor $1.gz found" >&2; return 1; fi
}
echo "[boston] loading $data into $db.$schema" >&2
q -v schema="$schema" <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS :"schema" CASCADE;
CREATE SCHEMA :"schema";
SET search_path = :"schema";
CREATE TABLE raw (case_enquiry_id text, open_dt text, target_dt text, closed_dt text, ontime_status text,
	case_status text, closure_reason_60 text, subject text, reason text, type text, department text, source text,
	neighborhood text, city_council_district text, police_district text, ward text, precinct text,
	location_zipcode text, latitude text, longitude text);
CREATE TABLE geojson (name text, doc text);
CREATE TABLE pop_neigh (year text, name text, male text, female text, geoid text, landarea_sqmiles text, occ_hu text);
CREATE TABLE pop_tract (year text, geoid text, male text, female text, name text, landarea_sqmiles text, occ_hu text);
SQL
gzip -dc "$data/boston_311_2015.csv.gz" | awk -v n="$sample" 'NR == 1 || (NR - 2) % n == 0' |
	q -c "COPY \"$schema\".raw FROM STDIN WITH (FORMAT csv, HEADER true)"
# a GeoJSON file as one value: CSV whose quote and delimiter never occur
for f in neighborhoods_2020tract:neighbourhoods tracts_2020:tracts; do
	cat_data "$data/areas/bpda_boston_${f%%:*}.geojson" | tr -d '\n' |
		q -c "COPY \"$schema\".geojson (doc) FROM STDIN WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')"
	q -c "UPDATE \"$schema\".geojson SET name = '${f##*:}' WHERE name IS NULL"
done
cat_data "$data/areas/bpda_pop_by_sex_neigh.csv" | q -c "COPY \"$schema\".pop_neigh FROM STDIN WITH (FORMAT csv, HEADER true)"
cat_data "$data/areas/bpda_pop_by_sex_tract.csv" | q -c "COPY \"$schema\".pop_tract FROM STDIN WITH (FORMAT csv, HEADER true)"
q -v schema="$schema" -f "$here/load.sql"
