-- admin codes: levels, ancestors, malformed input (tagged a1..)
SELECT 'a1', minqing.admin_level('110000000000'), minqing.admin_level('110100000000'),
       minqing.admin_level('110105000000'), minqing.admin_level('110105001000'),
       minqing.admin_level('110105001002');
-- Dongguan: towns directly under the city (county part 00) are level 4
SELECT 'a2', minqing.admin_level('441900003000');
SELECT 'a3', minqing.admin_ancestor('110105001002', 3) = '110105000000' AS spec_example,
       minqing.admin_ancestor('110105001002', 1), minqing.admin_ancestor('110105001002', 4),
       minqing.admin_ancestor('110105001002', 5);
-- coarser than the level asked: NULL, never a mixed level
SELECT 'a4', minqing.admin_ancestor('110105000000', 4) IS NULL;
SELECT 'a5', minqing.admin_level(NULL) IS NULL, minqing.admin_ancestor(NULL, 3) IS NULL;
-- errors
SELECT 'e1', minqing.admin_level('11010500100');
SELECT 'e2', minqing.admin_level('11010500100x');
SELECT 'e3', minqing.admin_level('000000000000');
SELECT 'e4', minqing.admin_ancestor('110105001002', 0);
SELECT 'e5', minqing.admin_ancestor('110105001002', 6);
-- configuration tables enforce the code format and level
INSERT INTO minqing.admin_unit (code, name, level) VALUES ('110105000000', '朝阳区', 4);
INSERT INTO minqing.admin_unit (code, name, level) VALUES ('1101', 'short', 2);
SELECT 'c1', count(*) FILTER (WHERE tier IS NOT NULL) AS leaves,
       count(DISTINCT tier) AS tiers, count(DISTINCT sector) AS sectors
FROM minqing.category WHERE builtin;
SELECT 'c2', sector, count(*) FROM minqing.category WHERE tier IS NOT NULL GROUP BY sector ORDER BY sector;
-- every leaf has a parent that exists, names in both languages
SELECT 'c3', count(*) FROM minqing.category c
WHERE c.tier IS NOT NULL AND NOT EXISTS (SELECT 1 FROM minqing.category p WHERE p.code = c.parent_code);
