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
SELECT 'e5', minqing.admin_ancestor('110105001002', 7);
-- grids (网格, level 6): a community's 12 digits and a serial 001-999 (SPEC §13)
SELECT 'g1', minqing.admin_level('110105001002003') AS level, minqing.admin_ancestor('110105001002003', 5) AS community,
       minqing.admin_ancestor('110105001002003', 6) AS grid, minqing.admin_ancestor('110105001002003', 3) AS district,
       minqing.admin_ancestor('110105001002', 6) IS NULL AS community_has_no_grid,
       minqing.admin_ancestor('110105001002999', 4) AS street;
SELECT 'g2', minqing.admin_level('1101050010020');
SELECT 'g3', minqing.admin_level('11010500100200');
SELECT 'g4', minqing.admin_level('1101050010020031');
SELECT 'g5', minqing.admin_level('110105001002000');
SELECT 'g6', minqing.admin_level('110105001000001');
SELECT 'g7', minqing.admin_ancestor('11010500100200x', 6);
INSERT INTO minqing.admin_unit (code, name, level, parent_code) VALUES ('110105001002003', '3号网格', 6, '110105001002');
SELECT 'g8', code, level FROM minqing.admin_unit WHERE level = 6;
INSERT INTO minqing.admin_unit (code, name, level) VALUES ('110105001002004', 'wrong level', 5);
DELETE FROM minqing.admin_unit WHERE level = 6;
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
