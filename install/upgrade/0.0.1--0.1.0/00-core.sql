-- 00-core.sql changed since 0.0.1: admin codes gained the grid level 6
-- (15-digit codes).  The C functions accept them already; the table checks and
-- the comments follow.
ALTER TABLE minqing.admin_unit DROP CONSTRAINT admin_unit_code_check,
	ADD CONSTRAINT admin_unit_code_check CHECK (code ~ '^[0-9]{12}([0-9]{3})?$');
ALTER TABLE minqing.admin_unit DROP CONSTRAINT admin_unit_level_check,
	ADD CONSTRAINT admin_unit_level_check CHECK (level BETWEEN 1 AND 6);
ALTER TABLE minqing.admin_unit DROP CONSTRAINT admin_unit_parent_code_check,
	ADD CONSTRAINT admin_unit_parent_code_check CHECK (parent_code IS NULL OR parent_code ~ '^[0-9]{12}([0-9]{3})?$');
COMMENT ON FUNCTION minqing.admin_level(text) IS
	'level 1..6 (province, city, district, street, community, grid) of an admin code: 1..5 from the trailing zeros of a 12-digit code, 6 for a 15-digit grid code (community code + serial 001-999)';
COMMENT ON FUNCTION minqing.admin_ancestor(text, int) IS
	'the admin code truncated to a level 1..5 and zero-padded to 12 digits, or the grid code itself for level 6; NULL when the code is coarser than the level';
