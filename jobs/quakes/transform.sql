-- One row per seismic event: the element fields of each file's "features" array (the runtime
-- unnests it, as Spark's explode does), flattened as the post's Athena query does, with the
-- six-degree UTM zone of the epicentre.
SELECT
  id,
  CAST(properties.time AS TIMESTAMP) AS event_time,
  CAST(properties.lastupdate AS TIMESTAMP) AS last_update,
  CAST(properties.lon AS DOUBLE) AS lon,
  CAST(properties.lat AS DOUBLE) AS lat,
  CAST(properties.depth AS DOUBLE) AS depth,
  CAST(properties.mag AS DOUBLE) AS mag,
  properties.flynn_region AS flynn_region,
  CAST(floor((CAST(properties.lon AS DOUBLE) + 180) / 6) AS INT) + 1 AS utm_zone,
  CAST(CAST(properties.time AS TIMESTAMP) AS DATE) AS event_date
FROM quakes
