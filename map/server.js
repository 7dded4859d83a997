// make map: a tiny tile server for minqing's vector tile functions.
//   GET /                          the map page (index.html)
//   GET /lib/*                     MapLibre GL JS from node_modules/maplibre-gl/dist
//   GET /tiles/LAYER/Z/X/Y.pbf     LAYER = orders | density | hotspot: minqing.tile_LAYER(z, x, y, source)
//   GET /streets.geojson           the street index: sentiment_index at the street level with the streets' outlines
//   GET /info.json                 the source, its bounds and its number of orders
//   POST /check/result.json, /check/map.png   (only with MAP_CHECK_DIR) the page's rendered-feature counts and
//                                  its canvas, written to MAP_CHECK_DIR for map/check.sh
// Connects with the PG* environment (libpq's variables, read by the `pg` client).
//   MAP_PORT (default 57110), MAP_HOST (default 127.0.0.1), MAP_SOURCE (default city.work_order),
//   MAP_UNITS (default city.admin_unit), MAP_STREET_LEVEL (default 4)
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { Pool } = require('pg');

const port = Number(process.env.MAP_PORT || 57110);
const host = process.env.MAP_HOST || '127.0.0.1';
const source = process.env.MAP_SOURCE || 'city.work_order';
const units = process.env.MAP_UNITS || 'city.admin_unit';
const streetLevel = Number(process.env.MAP_STREET_LEVEL || 4);
const checkDir = process.env.MAP_CHECK_DIR || '';
const dist = path.join(__dirname, 'node_modules', 'maplibre-gl', 'dist');
const pool = new Pool({ max: 4 });
const layers = { orders: 'tile_orders', density: 'tile_density', hotspot: 'tile_hotspot' };
const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.html': 'text/html; charset=utf-8' };

function send(res, status, type, body) {
	res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' });
	res.end(body);
}

function file(res, p) {
	fs.readFile(p, (err, data) => {
		if (err) return send(res, 404, 'text/plain', 'not found\n');
		send(res, 200, types[path.extname(p)] || 'application/octet-stream', data);
	});
}

// the street index of the last three whole months of data
const streetsSql = `
WITH span AS (SELECT date_trunc('month', max(created_at)) AS period_end FROM ${source}),
idx AS (SELECT s.* FROM span, minqing.sentiment_index($1::regclass, $2, span.period_end - interval '3 months', span.period_end,
                                                          NULL, $3::regclass) s)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
	'type', 'Feature', 'geometry', ST_AsGeoJSON(u.geom, 6)::json,
	'properties', json_build_object('unit_code', i.unit_code, 'unit_name', i.unit_name, 'score', i.score,
		'rank', i.rank, 'orders', i.orders, 'quadrant', i.quadrant))), '[]'::json)) AS fc
FROM idx i JOIN ${units} u ON u.code = i.unit_code`;

async function handle(req, res) {
	const url = new URL(req.url, 'http://localhost');
	let m;
	if (url.pathname === '/' || url.pathname === '/index.html') return file(res, path.join(__dirname, 'index.html'));
	if ((m = url.pathname.match(/^\/lib\/([A-Za-z0-9_.-]+)$/))) return file(res, path.join(dist, m[1]));
	if ((m = url.pathname.match(/^\/tiles\/(orders|density|hotspot)\/(\d+)\/(\d+)\/(\d+)\.pbf$/))) {
		const r = await pool.query(`SELECT minqing.${layers[m[1]]}($1, $2, $3, $4) AS t`, [+m[2], +m[3], +m[4], source]);
		return send(res, 200, 'application/x-protobuf', r.rows[0].t || Buffer.alloc(0));
	}
	if (url.pathname === '/streets.geojson') {
		const r = await pool.query(streetsSql, [source, streetLevel, units]);
		return send(res, 200, 'application/geo+json', JSON.stringify(r.rows[0].fc));
	}
	if (checkDir && req.method === 'POST' && (m = url.pathname.match(/^\/check\/(result\.json|map\.png)$/))) {
		const chunks = [];
		for await (const c of req) chunks.push(c);
		// written under a temporary name, then renamed: the test sees whole files only
		const tmp = path.join(checkDir, `.${m[1]}.part`);
		fs.writeFileSync(tmp, Buffer.concat(chunks));
		fs.renameSync(tmp, path.join(checkDir, m[1]));
		return send(res, 204, 'text/plain', '');
	}
	if (url.pathname === '/info.json') {
		const r = await pool.query(`SELECT n::int AS orders, ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax
			FROM (SELECT ST_Extent(geom)::geometry AS e, count(*) AS n FROM ${source}) s`);
		return send(res, 200, 'application/json', JSON.stringify({ source, units, streetLevel, ...r.rows[0] }));
	}
	send(res, 404, 'text/plain', 'not found\n');
}

const server = http.createServer((req, res) => {
	handle(req, res).catch((err) => {
		console.error(`${req.url}: ${err.message}`);
		send(res, 500, 'text/plain', `${err.message}\n`);
	});
});
server.listen(port, host, () => console.log(`minqing map: http://${host}:${port}/ (source ${source})`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); pool.end().finally(() => process.exit(0)); });
