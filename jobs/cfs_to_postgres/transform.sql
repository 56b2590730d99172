-- The public-use file's columns, lowercased, with their types (the CSV's codes stay text).
SELECT
  CAST(SHIPMT_ID AS BIGINT) AS shipmt_id,
  CAST(ORIG_STATE AS INT) AS orig_state,
  CAST(ORIG_MA AS INT) AS orig_ma,
  CAST(ORIG_CFS_AREA AS STRING) AS orig_cfs_area,
  CAST(DEST_STATE AS INT) AS dest_state,
  CAST(DEST_MA AS INT) AS dest_ma,
  CAST(DEST_CFS_AREA AS STRING) AS dest_cfs_area,
  CAST(NAICS AS INT) AS naics,
  CAST(QUARTER AS INT) AS quarter,
  CAST(SCTG AS STRING) AS sctg,
  CAST(MODE AS INT) AS mode,
  CAST(SHIPMT_VALUE AS DECIMAL(12, 2)) AS shipmt_value,
  CAST(SHIPMT_WGHT AS BIGINT) AS shipmt_wght,
  CAST(SHIPMT_DIST_GC AS INT) AS shipmt_dist_gc,
  CAST(SHIPMT_DIST_ROUTED AS INT) AS shipmt_dist_routed,
  CAST(TEMP_CNTL_YN AS STRING) AS temp_cntl_yn,
  CAST(EXPORT_YN AS STRING) AS export_yn,
  CAST(EXPORT_CNTRY AS STRING) AS export_cntry,
  CAST(HAZMAT AS STRING) AS hazmat,
  CAST(WGT_FACTOR AS DOUBLE) AS wgt_factor
FROM shipments
