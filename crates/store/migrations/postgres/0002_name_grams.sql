-- Enterprise name search by character bigrams (see zhijian_core::search). The region is
-- part of the key so a search scoped to a region subtree is one index range per gram.
CREATE TABLE name_grams (
    gram    TEXT   NOT NULL,
    region  TEXT   NOT NULL,
    org_id  BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (gram, region, org_id)
);
CREATE INDEX name_grams_org ON name_grams (org_id);
