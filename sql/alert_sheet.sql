-- The alert sheet (民情预警单, SPEC §13) and the HTML helpers (docs/alert_sheet.md).
-- html_escape: the five characters, NULL, nothing else touched
SELECT 'h1' AS t, minqing.html_escape($$<a href="x">Tom & Jerry's</a> 飞线充电$$);
SELECT 'h2' AS t, minqing.html_escape(NULL) IS NULL AS is_null, minqing.html_escape('') = '' AS empty;
-- html_page: escaped title, body as is, inline CSS only
\pset format unaligned
SELECT 'h3' AS t, regexp_replace(p, '<style>.*</style>', '<style>…</style>') AS page,
       p ~ '<style>@page\{size:A4.*p\{color:red\}</style>' AS css_last, p !~* '(script|https?:|url\()' AS self_contained
FROM minqing.html_page('民情预警单 <Alert sheet>', '<p>x</p>', 'zh-CN', 'p{color:red}') p;
\pset format aligned
SELECT 'h4' AS t, minqing.html_page(NULL, NULL) LIKE '%<title></title>%<body>%</body></html>%' AS empty_page;
-- errors
SELECT 'h5' AS t, minqing.html_page('x', 'y', 'zh"><script>');
SELECT 'h6' AS t, minqing.html_page('x', 'y', 'en', 'body{background:url(http://example.com/a.png)}');
SELECT 'h7' AS t, minqing.html_page('x', 'y', 'en', '</style><script>alert(1)</script>');
