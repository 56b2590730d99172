-- Raw green-taxi trips to the data lake: typed columns with snake_case names, and the pickup's
-- year and month as partition columns. Portable SQL: it runs on DuckDB (the local lane) and on
-- Spark (Glue) alike.
SELECT
  CAST(VendorID AS INT) AS vendor_id,
  CAST(lpep_pickup_datetime AS TIMESTAMP) AS pickup_at,
  CAST(Lpep_dropoff_datetime AS TIMESTAMP) AS dropoff_at,
  Store_and_fwd_flag AS store_and_fwd_flag,
  CAST(RateCodeID AS INT) AS rate_code_id,
  CAST(Pickup_longitude AS DOUBLE) AS pickup_longitude,
  CAST(Pickup_latitude AS DOUBLE) AS pickup_latitude,
  CAST(Dropoff_longitude AS DOUBLE) AS dropoff_longitude,
  CAST(Dropoff_latitude AS DOUBLE) AS dropoff_latitude,
  CAST(Passenger_count AS INT) AS passenger_count,
  CAST(Trip_distance AS DOUBLE) AS trip_distance,
  CAST(Fare_amount AS DOUBLE) AS fare_amount,
  CAST(Extra AS DOUBLE) AS extra,
  CAST(MTA_tax AS DOUBLE) AS mta_tax,
  CAST(Tip_amount AS DOUBLE) AS tip_amount,
  CAST(Tolls_amount AS DOUBLE) AS tolls_amount,
  CAST(improvement_surcharge AS DOUBLE) AS improvement_surcharge,
  CAST(Total_amount AS DOUBLE) AS total_amount,
  CAST(Payment_type AS INT) AS payment_type,
  CAST(Trip_type AS INT) AS trip_type,
  year(CAST(lpep_pickup_datetime AS TIMESTAMP)) AS year,
  month(CAST(lpep_pickup_datetime AS TIMESTAMP)) AS month
FROM trips
