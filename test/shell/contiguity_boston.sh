#!/usr/bin/env bash
# contiguity_neighbors() on real polygons: the 206 Boston 2020 census tracts
# shipped with the Boston example (examples/boston/data) give exactly the
# queen and rook neighbour lists of R spdep 1.2-7 poly2nb(st_read(<the same
# GeoJSON>), queen = TRUE / FALSE).  The lists are written "i:j,k,…;" for
# tracts 1..206 in file order (R's 1-based indexes); the reference is the md5
# of R's string, computed once with
#   nb <- poly2nb(t, queen = q); paste(sapply(seq_along(nb), function(i) {
#     v <- nb[[i]]; v <- v[v > 0]; paste0(i, ":", paste(sort(v), collapse = ",")) }), collapse = ";")
# (docs/spatial_units.md).
set -u
MQ_ROOT=${MQ_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MQ_ROOT/test/lib/tap.sh"
DB=mq_contig_boston
data=$MQ_ROOT/examples/boston/data/areas/bpda_boston_tracts_2020.geojson.gz

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" -c "CREATE TABLE gj (doc text)" >/dev/null || exit 1
gzip -dc "$data" | tr -d '\n' | q -c "COPY gj (doc) FROM STDIN WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')"
q -c "CREATE TABLE tracts AS
      SELECT f.i AS id, ST_SetSRID(ST_GeomFromGeoJSON(f.feature -> 'geometry'), 4326) AS geom
      FROM gj, jsonb_array_elements(gj.doc::jsonb -> 'features') WITH ORDINALITY f (feature, i)" >/dev/null
check "206 tracts loaded" "$(q -c "SELECT count(*) FROM tracts")" "206"
nblist() {
	q -c "SELECT md5(string_agg(id || ':' || array_to_string(nb, ','), ';' ORDER BY id))
	      FROM (SELECT id, minqing.contiguity_neighbors(id, geom, '$1') OVER () AS nb FROM tracts) s"
}
check "queen neighbours of the Boston tracts equal spdep poly2nb(queen = TRUE)" "$(nblist queen)" "91a89e0e89758068dd08e29884e579f7"
check "rook neighbours of the Boston tracts equal spdep poly2nb(queen = FALSE)" "$(nblist rook)" "2ec4079b888173092dc1eb05571466cd"
psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
tap_done
