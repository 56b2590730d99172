-- One row per query, with the cluster it ran on and the day it ended (the partitions Athena prunes by).
SELECT
  query,
  userid,
  xid,
  pid,
  database,
  TRIM(label) AS label,
  TRIM(querytxt) AS querytxt,
  starttime,
  endtime,
  aborted,
  '${cluster}' AS cluster,
  CAST(endtime AS DATE) AS log_date
FROM queries
