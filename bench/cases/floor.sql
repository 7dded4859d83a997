-- reference rows, not minqing: the cost of reading the flag columns at all.
-- count(*) never deforms a tuple; count(col) has to walk every row up to col,
-- which is the real floor of any per-row aggregate over that column.
-- bench: (reference) count(satisfied)
-- minqing: SELECT count(satisfied) FROM :tbl

-- bench: (reference) count of 3 flags
-- minqing: SELECT count(responded), count(resolved), count(satisfied) FROM :tbl
