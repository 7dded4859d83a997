# minqing — PGXS build.  The two commands a newcomer needs:
#   make demo   generate the synthetic city in a throwaway cluster and print a report
#   make test   install missing packages, build, run every test, print "N passed, N failed"
EXTENSION  = minqing
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" minqing.control)

MODULE_big = minqing
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from install/NN-feature.sql (one file per
# capability, hand-edited) into minqing--$(EXTVERSION).sql.  Released versions
# are frozen under install/released/ together with the upgrade scripts.
INSTALL_PARTS = $(sort $(wildcard install/*.sql))
DATA_built = minqing--$(EXTVERSION).sql
# Upgrade from the first release, generated from the install parts
# (install/released/README; README "Upgrading").
DATA_built += minqing--0.0.1--$(EXTVERSION).sql
DATA       = $(wildcard install/released/*.sql)
# The segmenter's dictionary: dict.txt of Debian's python3-jieba (MIT, notice
# in src/minqing_jieba_dict.NOTICE), installed next to the extension scripts.
JIEBA_DICT ?= /usr/lib/python3/dist-packages/jieba/dict.txt
DATA_built += minqing_jieba_dict.txt minqing_jieba_dict.NOTICE
# the stop words of the text search configuration minqing.chinese
DATA_TSEARCH = install/minqing_chinese.stop
EXTRA_CLEAN = minqing_jieba_dict.txt minqing_jieba_dict.NOTICE

# pg_regress pair: sql/NAME.sql -> expected/NAME.out
REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=postgis --load-extension=minqing

# Warnings only: -Werror is a test/CI flag (test/lib/cluster.sh passes it as
# COPT), so a newer compiler's new warning never breaks a user's build.
PG_CPPFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lm

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
all install:
	@echo "minqing: pg_config not found; run 'make test' (installs packages) or set PG_CONFIG" >&2; exit 2
endif

minqing--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $(INSTALL_PARTS) > $@

minqing--0.0.1--$(EXTVERSION).sql: $(INSTALL_PARTS) $(wildcard install/released/0.0.1/*.sql install/upgrade/0.0.1--$(EXTVERSION)/*.sql) install/released/mkupgrade.sh
	bash install/released/mkupgrade.sh 0.0.1 $(INSTALL_PARTS) > $@

$(OBJS): $(wildcard src/*.h)

minqing_jieba_dict.txt: $(JIEBA_DICT)
	@test -r $< || { echo "minqing: $< not found; install python3-jieba (apt-get install python3-jieba)" >&2; exit 2; }
	cp $< $@
minqing_jieba_dict.NOTICE: src/minqing_jieba_dict.NOTICE
	cp $< $@

.PHONY: test demo bench docs
test:
	bash test/run.sh $(TESTS)
demo:
	bash demo/run.sh
bench:
	bash bench/run.sh
docs:
	bash docs/gen_reference.sh

# the generator's rows must not depend on the compiler fusing multiply-adds
# (every src/generate*.c file)
$(filter src/generate%,$(OBJS)): CFLAGS += -ffp-contract=off

.PHONY: test-citus map map-check
test-citus:
	bash test/citus/run.sh
# the generated city on a MapLibre map (http://127.0.0.1:57110/), and its headless Chromium test
map:
	bash map/run.sh
map-check:
	bash map/run.sh --check $(MAP_PNG)
