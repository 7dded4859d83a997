----------------------------------------------------------------------------
-- The alert sheet (民情预警单, SPEC §13, docs/alert_sheet.md) and the small
-- HTML helpers every printable page of minqing uses (html_escape,
-- html_page): one self-contained page, CSS inline, no scripts, no URLs.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.html_escape(t text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
	SELECT replace(replace(replace(replace(replace($1, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
	               '"', '&quot;'), '''', '&#39;')
$body$;
COMMENT ON FUNCTION minqing.html_escape(text) IS
	'text made safe for HTML element content and quoted attribute values: & < > " and '' replaced by their character references; NULL stays NULL';

-- The shared look of minqing's printable pages (A4, system fonts with CJK
-- fallbacks, no web fonts); the page's own rules come after it.
CREATE FUNCTION minqing.html_page(title text, body text, lang text DEFAULT 'zh-CN', css text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
	IF lang IS NULL OR lang !~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' THEN
		RAISE EXCEPTION 'html_page: invalid language tag "%"', lang
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass a BCP 47 tag such as ''zh-CN'' or ''en''.';
	END IF;
	IF css ~* '(<|url\(|@import|expression\()' THEN
		RAISE EXCEPTION 'html_page: css must not contain "<", url(), @import or expression()'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'The page is self-contained: inline rules only, no external resources.';
	END IF;
	RETURN '<!DOCTYPE html>' || E'\n'
		|| '<html lang="' || lang || '"><head><meta charset="utf-8">'
		|| '<meta name="viewport" content="width=device-width, initial-scale=1">'
		|| '<title>' || COALESCE(minqing.html_escape(title), '') || '</title>' || E'\n'
		|| '<style>'
		|| '@page{size:A4;margin:14mm 12mm}'
		|| '*{box-sizing:border-box}'
		|| 'body{margin:0 auto;max-width:190mm;padding:16px;color:#1a1a1a;background:#fff;'
		|| 'font:14px/1.5 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",'
		|| '"Helvetica Neue",Arial,sans-serif}'
		|| 'h1{font-size:22px;margin:0 0 4px;color:#17324d}h2{font-size:16px;margin:18px 0 6px;color:#17324d}'
		|| '.sub{color:#555;margin:0 0 12px}.en{color:#555;font-weight:normal}'
		|| 'table{border-collapse:collapse;width:100%;margin:6px 0}'
		|| 'th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}'
		|| 'th{background:#17324d;color:#fff;font-weight:600}'
		|| 'td.num,th.num{text-align:right;white-space:nowrap}'
		|| '.note{color:#555;font-size:12px}'
		|| 'footer{margin-top:16px;border-top:1px solid #bbb;padding-top:6px;color:#555;font-size:12px}'
		|| '@media print{body{padding:0}tr{break-inside:avoid}}'
		|| COALESCE(css, '')
		|| '</style></head>' || E'\n'
		|| '<body>' || E'\n' || COALESCE(body, '') || E'\n' || '</body></html>' || E'\n';
END
$body$;
COMMENT ON FUNCTION minqing.html_page(text, text, text, text) IS
	'one self-contained printable HTML page (UTF-8, A4, inline CSS, no scripts or external resources): the escaped title, body inserted as is (escape its text with html_escape), the shared minqing styles followed by css (no "<", url(), @import); lang is a BCP 47 tag';
