----------------------------------------------------------------------------
-- The default bilingual taxonomy: 13 sectors, each with leaf categories
-- carrying a demand tier (1 basic … 4 quality of life).  Codes are stable
-- API: generate_city, sentiment_index and the demo refer to them.
----------------------------------------------------------------------------
INSERT INTO minqing.category (code, parent_code, name_zh, name_en, tier, sector, builtin) VALUES
	('utilities',        NULL, '公用事业', 'Public utilities',        NULL, 'utilities',        true),
	('environment',      NULL, '生态环境', 'Environment',             NULL, 'environment',      true),
	('housing',          NULL, '住房保障', 'Housing',                 NULL, 'housing',          true),
	('transport',        NULL, '交通出行', 'Transport',               NULL, 'transport',        true),
	('public_security',  NULL, '公共安全', 'Public security',         NULL, 'public_security',  true),
	('health',           NULL, '卫生健康', 'Health',                  NULL, 'health',           true),
	('education',        NULL, '教育',     'Education',               NULL, 'education',        true),
	('employment',       NULL, '就业创业', 'Employment',              NULL, 'employment',       true),
	('consumer',         NULL, '市场消费', 'Market and consumers',    NULL, 'consumer',         true),
	('culture',          NULL, '文体旅游', 'Culture, sport, tourism', NULL, 'culture',          true),
	('urban_management', NULL, '城市管理', 'Urban management',        NULL, 'urban_management', true),
	('social_services',  NULL, '社会保障', 'Social services',         NULL, 'social_services',  true),
	('government',       NULL, '政务服务', 'Government services',     NULL, 'government',       true);

INSERT INTO minqing.category (code, parent_code, name_zh, name_en, tier, sector, builtin) VALUES
	-- tier 1: basic needs
	('water_supply',         'utilities',        '供水',         'Water supply',                  1, 'utilities',        true),
	('power_supply',         'utilities',        '供电',         'Power supply',                  1, 'utilities',        true),
	('gas_supply',           'utilities',        '燃气',         'Gas supply',                    1, 'utilities',        true),
	('heating',              'utilities',        '供暖',         'Heating',                       1, 'utilities',        true),
	('drainage',             'utilities',        '排水',         'Drainage and sewers',           1, 'utilities',        true),
	('garbage',              'environment',      '垃圾清运',     'Garbage collection',            1, 'environment',      true),
	-- tier 2: essential services
	('food_safety',          'health',           '食品安全',     'Food safety',                   2, 'health',           true),
	('medical_service',      'health',           '医疗服务',     'Medical services',              2, 'health',           true),
	('public_order',         'public_security',  '社会治安',     'Public order',                  2, 'public_security',  true),
	('fire_safety',          'public_security',  '消防安全',     'Fire safety',                   2, 'public_security',  true),
	('ebike_charging',       'public_security',  '电动车充电',   'E-bike charging',               2, 'public_security',  true),
	('property_management',  'housing',          '物业管理',     'Property management',           2, 'housing',          true),
	('housing_repair',       'housing',          '房屋修缮',     'Housing repair',                2, 'housing',          true),
	('traffic_order',        'transport',        '交通秩序',     'Traffic order',                 2, 'transport',        true),
	('parking',              'transport',        '停车管理',     'Parking',                       2, 'transport',        true),
	('public_transit',       'transport',        '公交地铁',     'Public transit',                2, 'transport',        true),
	('road_maintenance',     'transport',        '道路维护',     'Road maintenance',              2, 'transport',        true),
	('illegal_construction', 'urban_management', '违法建设',     'Illegal construction',          2, 'urban_management', true),
	('street_vending',       'urban_management', '占道经营',     'Street vending',                2, 'urban_management', true),
	('social_insurance',     'social_services',  '社保医保',     'Social and health insurance',   2, 'social_services',  true),
	-- tier 3: development
	('school_enrollment',    'education',        '入学招生',     'School enrollment',             3, 'education',        true),
	('education_fees',       'education',        '教育收费',     'Education fees',                3, 'education',        true),
	('job_seeking',          'employment',       '就业服务',     'Job seeking',                   3, 'employment',       true),
	('wage_arrears',         'employment',       '欠薪',         'Wage arrears',                  3, 'employment',       true),
	('air_pollution',        'environment',      '大气污染',     'Air pollution',                 3, 'environment',      true),
	('water_pollution',      'environment',      '水污染',       'Water pollution',               3, 'environment',      true),
	('noise',                'environment',      '噪声扰民',     'Noise',                         3, 'environment',      true),
	('consumer_rights',      'consumer',         '消费维权',     'Consumer rights',               3, 'consumer',         true),
	('real_estate',          'housing',          '房产交易',     'Real-estate transactions',      3, 'housing',          true),
	('elderly_care',         'social_services',  '养老服务',     'Elderly care',                  3, 'social_services',  true),
	('government_service',   'government',       '政务办事',     'Government services',           3, 'government',       true),
	-- tier 4: quality of life
	('greening',             'environment',      '园林绿化',     'Greening and parks',            4, 'environment',      true),
	('culture_events',       'culture',          '文化活动',     'Cultural events',               4, 'culture',          true),
	('leisure',              'culture',          '休闲娱乐',     'Leisure',                       4, 'culture',          true),
	('fitness',              'culture',          '体育健身',     'Sports and fitness',            4, 'culture',          true),
	('tourism',              'culture',          '旅游服务',     'Tourism',                       4, 'culture',          true),
	('pets',                 'urban_management', '宠物管理',     'Pets',                          4, 'urban_management', true);
